import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../../main/core/errors';
import { ktrdrPreset } from '../../../main/core/preset';
import { emptyRegistry } from '../../../main/core/registry';
import { allocateSlot, allocationError, blacklistFor, portConflictError } from '../../../main/core/slots';
import type { PortOwner } from '../../../main/core/deps';
import type { ContainerInfo, RegistryData } from '../../../main/shared/types';
import { container, FakeClock, FakePortProbe, fakeDeps, record, registryWith, T0 } from './fakes';

function setup(held: [number, PortOwner | null][] = [], reg: RegistryData = emptyRegistry()) {
  const probe = new FakePortProbe(new Map(held));
  const deps = fakeDeps({ ports: probe, clock: new FakeClock() });
  const alloc = (over: { requested?: number; running?: ContainerInfo[]; id?: string } = {}) =>
    allocateSlot({ deps, reg, manifest: ktrdrPreset, id: over.id ?? 'ktrdr--new', requested: over.requested, running: over.running ?? [] });
  return { probe, reg, alloc };
}

describe('allocateSlot', () => {
  it('picks the lowest free slot', async () => {
    const { alloc } = setup();
    expect(await alloc()).toEqual({ kind: 'ok', slot: 1 });
  });

  it('skips held and blacklisted slots', async () => {
    const reg = registryWith(record('a', 1), record('b', 2));
    reg.blacklist['3'] = { reason: 'busy', at: 'x' };
    const { alloc, probe } = setup([], reg);
    expect(await alloc()).toEqual({ kind: 'ok', slot: 4 });
    expect(probe.freeCalls).toContain(8004);
    expect(probe.freeCalls).not.toContain(8001);
  });

  it('skips a slot whose port a foreign process holds and blacklists it in the registry object', async () => {
    const { alloc, reg } = setup([[5013, { pid: 4242, command: 'python3 worker.py' }]]);
    expect(await alloc()).toEqual({ kind: 'ok', slot: 2 });
    expect(reg.blacklist['1']).toEqual({
      reason: 'port 5013 (KTRDR_WORKER_PORT_4) is held by process 4242 (python3 worker.py)',
      at: new Date(T0).toISOString(),
      port: 5013,
      holder: 'process 4242 (python3 worker.py)',
    });
    expect(reg.blacklist['2']).toBeUndefined();
  });

  it('skips but does not blacklist a slot whose port another sandbox instance publishes', async () => {
    const reg = registryWith(record('ktrdr--b', 7));
    const { alloc } = setup([], reg);
    const running = [container('backend', { project: 'ktrdr--b', ports: [{ hostIp: '0.0.0.0', hostPort: 8001, containerPort: 8000 }] })];
    expect(await alloc({ running })).toEqual({ kind: 'ok', slot: 2 });
    expect(reg.blacklist).toEqual({});
  });

  it('a requested slot held by another instance throws, naming it', async () => {
    const { alloc } = setup([], registryWith(record('ktrdr--a', 3)));
    const err = await alloc({ requested: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).code).toBe('STATE');
    expect((err as SandboxError).message).toMatch(/Slot 3 is held by instance "ktrdr--a"/);
  });

  it('a requested slot the instance already holds is fine; its own containers are not conflicts', async () => {
    const { alloc } = setup([[8003, { pid: 1, command: 'docker-proxy' }]], registryWith(record('ktrdr--a', 3)));
    const running = [container('backend', { project: 'ktrdr--a', ports: [{ hostIp: '0.0.0.0', hostPort: 8003, containerPort: 8000 }] })];
    expect(await alloc({ id: 'ktrdr--a', requested: 3, running })).toEqual({ kind: 'ok', slot: 3 });
  });

  it('a requested slot with a conflict → kind conflict (and the slot is blacklisted)', async () => {
    const { alloc, reg } = setup([[3006, null]]);
    const res = await alloc({ requested: 6 });
    expect(res).toEqual({
      kind: 'conflict',
      slot: 6,
      conflicts: [{ port: 3006, name: 'grafana', env: 'KTRDR_GRAFANA_PORT', holder: { kind: 'unknown' } }],
    });
    expect(reg.blacklist['6']?.port).toBe(3006);
  });

  it('a requested blacklisted or out-of-range slot throws', async () => {
    const reg = emptyRegistry();
    reg.blacklist['4'] = { reason: 'port 8004 held', at: 'x' };
    const { alloc } = setup([], reg);
    await expect(alloc({ requested: 4 })).rejects.toThrow(/blacklisted/);
    await expect(alloc({ requested: 11 })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(alloc({ requested: 0 })).resolves.toEqual({ kind: 'ok', slot: 0 });
  });

  it('all slots taken → kind none', async () => {
    const { alloc, probe } = setup([], registryWith(...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => record(`i${s}`, s))));
    expect(await alloc()).toEqual({ kind: 'none' });
    expect(probe.freeCalls).toEqual([]);
  });

  it('every free slot foreign-held → kind none, each probed slot blacklisted', async () => {
    const held: [number, PortOwner | null][] = [];
    for (let s = 4; s <= 10; s++) held.push([8000 + s, { pid: 100 + s, command: 'nginx' }]);
    const { alloc, reg } = setup(held, registryWith(record('a', 1), record('b', 2), record('c', 3)));
    expect(await alloc()).toEqual({ kind: 'none' });
    expect(Object.keys(reg.blacklist).sort((x, y) => Number(x) - Number(y))).toEqual(['4', '5', '6', '7', '8', '9', '10']);
  });
});

describe('allocation errors', () => {
  it('none → NO_FREE_SLOT (exit 1)', () => {
    const reg = registryWith(record('a', 1));
    const e = allocationError({ kind: 'none' }, reg);
    expect(e.code).toBe('NO_FREE_SLOT');
    expect(e.exitCode).toBe(1);
  });

  it('conflict → PORT_CONFLICT (exit 3) naming each holder and suggesting free slots', () => {
    const reg = registryWith(record('a', 1));
    const conflicts = [{ port: 8002, name: 'api', env: 'KTRDR_API_PORT', holder: { kind: 'process' as const, pid: 9, command: 'nginx' } }];
    const e = allocationError({ kind: 'conflict', slot: 2, conflicts }, reg);
    expect(e.code).toBe('PORT_CONFLICT');
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('Port conflict on slot 2:\n  8002 (KTRDR_API_PORT): process 9 (nginx)');
    expect(e.hint).toMatch(/free: 3, 4, 5, 6, 7, 8, 9, 10/);
    expect(e.hint).toMatch(/--slot N/);
    expect(e.details).toEqual({ slot: 2, conflicts });
    expect(portConflictError(2, conflicts, registryWith(...[1, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => record(`i${s}`, s)))).hint).toMatch(
      /none free/,
    );
  });

  it('blacklistFor ignores conflicts with other sandbox instances', () => {
    const reg = emptyRegistry();
    blacklistFor(
      reg,
      5,
      [{ port: 8005, name: 'api', env: 'KTRDR_API_PORT', holder: { kind: 'instance', instanceId: 'b', container: 'b-backend-1' } }],
      T0,
    );
    expect(reg.blacklist).toEqual({});
  });
});
