// What a card's buttons do: lifecycle operations through app.run (progress + error toasts), and the desktop
// openers, which say so when this machine has no desktop and offer to copy the path / `cd` command instead.
import type { InstanceView } from '../../../main/shared/views';
import type { ErrorPayload } from '../../../main/shared/errors';
import type { GateReport } from '../../../main/shared/types';
import type { Result } from '../../../main/shared/contract';
import { useApi } from '../api/hooks';
import { useApp, type AppState } from '../app-context';
import { copyText, shellQuote } from '../clipboard';

/** A failed opener: the reason, and a button that copies what the user can use instead. */
export function openerFailed(app: AppState, title: string, e: ErrorPayload, copy: { label: string; text: string }): void {
  app.toast({
    kind: 'error',
    title,
    message: e.message,
    hint: e.hint,
    action: {
      label: copy.label,
      run: async () => {
        const ok = await copyText(copy.text);
        app.toast(ok ? { kind: 'success', title: 'Copied', message: copy.text } : { kind: 'info', title: 'Copy this', message: copy.text });
      },
    },
  });
}

export function useInstanceActions(view: InstanceView) {
  const api = useApi();
  const app = useApp();
  const id = view.id;
  /** Keep the gate report an operation answered with (the card shows why it failed). */
  const keep =
    <T>(operation: string, pick: (v: T) => GateReport | null) =>
    (r: Result<T>) => {
      if (r.ok) app.attachReport(operation, pick(r.value));
    };
  return {
    up: () => void app.run(`up:${id}`, () => api.invoke('up', id)).then(keep(`up:${id}`, (v) => v.gate)),
    down: () => void app.run(`down:${id}`, () => api.invoke('down', id)),
    restart: () => void app.run(`restart:${id}`, () => api.invoke('restart', id)).then(keep(`restart:${id}`, (v) => v.gate)),
    gate: () => void app.run(`gate:${id}`, () => api.invoke('gate', id)).then(keep(`gate:${id}`, (v) => v)),
    cancel: async () => {
      const r = await api.invoke('cancel', id);
      if (!r.ok) app.errorToast(`Could not cancel ${id}`, r.error);
    },
    folder: async () => {
      const r = await api.invoke('openFolder', id);
      if (!r.ok) openerFailed(app, 'Could not open the folder', r.error, { label: 'Copy the path', text: view.path });
    },
    terminal: async () => {
      const r = await api.invoke('openTerminal', id);
      if (!r.ok)
        openerFailed(app, 'Could not open a terminal', r.error, { label: 'Copy the cd command', text: `cd ${shellQuote(view.path)}` });
    },
    copyEnv: async () => {
      const r = await api.invoke('copyEnv', id);
      if (!r.ok) return app.errorToast('Could not read the environment', r.error);
      const copied = api.transport === 'electron' || (await copyText(r.value));
      app.toast(
        copied
          ? { kind: 'success', title: 'Environment copied', message: `${r.value.trim().split('\n').length} variables of ${id}` }
          : { kind: 'info', title: `Environment of ${id}`, message: r.value },
      );
    },
  };
}
