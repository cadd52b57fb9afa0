// The dashboard's shared data handlers check what a client sent before any use-case runs (the HTTP transport hands
// them anything), and the Create dialog's choice becomes create's option.
import { describe, expect, it } from 'vitest';
import { createOverlayOption, optFolders, sharedDataHandlers, type Operation } from '../../../main/ui-backend/shared-handlers';
import { ARG_SPECS } from '../../../main/app/ipc';
import { INVOKE_CHANNELS } from '../../../main/shared/contract';

function handlers() {
  const ops: string[] = [];
  const operation: Operation = async (op, busy, id) => {
    ops.push(`${op}:${busy}:${String(id)}`);
    return undefined as never; // the use-case is not run here
  };
  return { h: sharedDataHandlers({} as never, operation), ops };
}

describe('shared data handlers', () => {
  it('sharedOverlay: on must be a boolean, folders a list of names, and only with on', async () => {
    const { h, ops } = handlers();
    await expect(h.sharedOverlay('r--a', {} as never)).rejects.toThrow('choice.on must be true or false');
    await expect(h.sharedOverlay('r--a', { on: 'yes' } as never)).rejects.toThrow('on must be true or false');
    await expect(h.sharedOverlay('r--a', { on: true, folders: 'data' } as never)).rejects.toThrow(
      'folders must be a list of shared folder names',
    );
    await expect(h.sharedOverlay('r--a', { on: true, folders: [''] })).rejects.toThrow('folders entry must be a non-empty string');
    await expect(h.sharedOverlay('r--a', { on: false, folders: ['data'] })).rejects.toThrow('choice.folders goes with on: true only');
    await expect(h.sharedOverlay('r--a', [] as never)).rejects.toThrow('choice must be an object');
    expect(ops).toEqual([]);
    await h.sharedOverlay('r--a', { on: true, folders: ['data'] });
    await h.sharedOverlay('r--a', { on: false });
    expect(ops).toEqual(['shared-overlay:switching shared data:r--a', 'shared-overlay:switching shared data:r--a']);
  });

  it('sharedReset: folders optional, a list of names', async () => {
    const { h, ops } = handlers();
    await expect(h.sharedReset('r--a', { folders: [1] } as never)).rejects.toThrow('folders entry must be a non-empty string');
    await expect(h.sharedReset('r--a', 'x' as never)).rejects.toThrow('options must be an object');
    await h.sharedReset('r--a');
    await h.sharedReset('r--a', { folders: ['data'] });
    expect(ops).toEqual(['shared-reset:resetting shared data:r--a', 'shared-reset:resetting shared data:r--a']);
  });

  it("the create input's sharedOverlay", () => {
    expect(createOverlayOption(undefined)).toEqual({});
    expect(createOverlayOption(true)).toEqual({ sharedOverlay: { on: true } });
    expect(createOverlayOption(false)).toEqual({ sharedOverlay: { on: false } });
    expect(() => createOverlayOption('data')).toThrow('sharedOverlay must be true or false');
    expect(optFolders(null, 'folders')).toBeUndefined();
    expect(() => optFolders(Array(51).fill('d'), 'folders')).toThrow(/list of shared folder names/);
  });

  it('the contract: both channels, with their argument shapes for the Electron IPC', () => {
    expect(INVOKE_CHANNELS).toEqual(expect.arrayContaining(['sharedReset', 'sharedOverlay']));
    expect(ARG_SPECS.sharedReset).toEqual({ required: ['string'], optional: ['object'] });
    expect(ARG_SPECS.sharedOverlay).toEqual({ required: ['string', 'object'], optional: [] });
  });
});
