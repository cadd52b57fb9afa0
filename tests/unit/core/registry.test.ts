import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../../main/core/errors';
import {
  assertSlotAvailable,
  candidateSlots,
  emptyRegistry,
  holderOfSlot,
  instanceContaining,
  instances,
  isBlacklisted,
  noFreeSlotError,
} from '../../../main/core/registry';
import { registrySchema } from '../../../main/core/registry-schema';
import { record, registryWith } from './fakes';

const bl = (reason: string) => ({ reason, at: '2025-01-01T00:00:00.000Z', port: 8004, holder: 'process 1 (x)' });

describe('candidateSlots', () => {
  it('is 1..10 on an empty registry and never contains 0', () => {
    expect(candidateSlots(emptyRegistry())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('skips held and blacklisted slots, and slot 0 even when held', () => {
    const reg = registryWith(record('main', 0), record('a', 1), record('b', 3));
    reg.blacklist['4'] = bl('port 8004 held');
    expect(candidateSlots(reg)).toEqual([2, 5, 6, 7, 8, 9, 10]);
    expect(candidateSlots(reg)).not.toContain(0);
  });

  it('refills gaps left by destroyed instances, lowest first', () => {
    const reg = registryWith(record('a', 1), record('b', 2), record('c', 3));
    delete reg.instances.b;
    expect(candidateSlots(reg)[0]).toBe(2);
  });

  it('is empty when every slot is held or blacklisted', () => {
    const reg = registryWith(...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => record(`i${s}`, s)));
    reg.blacklist['10'] = bl('busy');
    expect(candidateSlots(reg)).toEqual([]);
  });
});

describe('holders and lookups', () => {
  it('holderOfSlot / isBlacklisted / instances (sorted by slot then id)', () => {
    const reg = registryWith(record('z', 2), record('a', 5), record('m', 1));
    reg.blacklist['7'] = bl('x');
    expect(holderOfSlot(reg, 5)?.id).toBe('a');
    expect(holderOfSlot(reg, 6)).toBeUndefined();
    expect(isBlacklisted(reg, 7)?.reason).toBe('x');
    expect(isBlacklisted(reg, 1)).toBeUndefined();
    expect(instances(reg).map((i) => i.id)).toEqual(['m', 'z', 'a']);
  });
});

describe('assertSlotAvailable', () => {
  const reg = registryWith(record('alpha', 2, { path: '/src/ktrdr--alpha' }));
  reg.blacklist['6'] = bl('port 8006 (KTRDR_API_PORT) is held by process 99 (nginx)');

  it('passes for a free slot and for the slot the instance already holds', () => {
    expect(() => assertSlotAvailable(reg, 3)).not.toThrow();
    expect(() => assertSlotAvailable(reg, 2, 'alpha')).not.toThrow();
  });

  it('names the holder (id and path) of a taken slot', () => {
    let err: SandboxError | undefined;
    try {
      assertSlotAvailable(reg, 2, 'beta');
    } catch (e) {
      err = e as SandboxError;
    }
    expect(err).toBeInstanceOf(SandboxError);
    expect(err!.code).toBe('STATE');
    expect(err!.message).toBe('Slot 2 is held by instance "alpha" (/src/ktrdr--alpha)');
    expect(err!.hint).toMatch(/free: 1, 3, 4, 5, 7, 8, 9, 10/);
    expect(err!.hint).toMatch(/destroy "alpha"/);
  });

  it('explains a blacklisted slot and how to unblock it', () => {
    expect(() => assertSlotAvailable(reg, 6, 'beta')).toThrow(/Slot 6 is blacklisted: port 8006 .*process 99 \(nginx\)/);
    expect(() => assertSlotAvailable(reg, 6)).toThrow(expect.objectContaining({ hint: expect.stringMatching(/slot unblock 6/) }));
  });
});

describe('noFreeSlotError', () => {
  it('lists every holder and blacklisted slot', () => {
    const reg = registryWith(...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => record(`inst-${s}`, s)));
    reg.blacklist['10'] = bl('port 8010 held by nginx');
    const e = noFreeSlotError(reg);
    expect(e.code).toBe('NO_FREE_SLOT');
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/All slots 1-10 are taken/);
    for (let s = 1; s <= 9; s++) expect(e.message).toContain(`slot ${s}: inst-${s} (/work/inst-${s})`);
    expect(e.message).toContain('slot 10: blacklisted — port 8010 held by nginx');
    expect(e.hint).toMatch(/destroy/);
  });
});

describe('instanceContaining', () => {
  const reg = registryWith(record('b', 1, { path: '/a/b' }), record('bc', 2, { path: '/a/b/c' }), record('other', 3, { path: '/x' }));

  it('matches the directory itself and anything below it', () => {
    expect(instanceContaining(reg, '/a/b')?.id).toBe('b');
    expect(instanceContaining(reg, '/a/b/src/main')?.id).toBe('b');
  });

  it('picks the deepest match', () => {
    expect(instanceContaining(reg, '/a/b/c')?.id).toBe('bc');
    expect(instanceContaining(reg, '/a/b/c/d/e')?.id).toBe('bc');
  });

  it('does not match a sibling sharing a prefix', () => {
    expect(instanceContaining(registryWith(record('b', 1, { path: '/a/b' })), '/a/b-c')).toBeUndefined();
    expect(instanceContaining(reg, '/a/bc')).toBeUndefined();
    expect(instanceContaining(reg, '/a')).toBeUndefined();
  });
});

describe('registrySchema', () => {
  it('accepts what emptyRegistry and registryWith produce, rejects another version', () => {
    expect(registrySchema.safeParse(emptyRegistry()).success).toBe(true);
    expect(registrySchema.safeParse(registryWith(record('a', 1))).success).toBe(true);
    expect(registrySchema.safeParse({ version: 1, instances: {}, blacklist: {} }).success).toBe(false);
    expect(registrySchema.safeParse({ version: 3, instances: {}, blacklist: {} }).success).toBe(false);
    expect(registrySchema.safeParse(registryWith(record('a', 11))).success).toBe(false);
  });
});
