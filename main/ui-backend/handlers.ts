// The contract's invoke handlers, shared by the Electron shell (IPC) and the dashboard server (HTTP). They hold
// no lifecycle logic: every operation is a call to a core use-case, wrapped with busy marking, progress events
// and a state refresh. The use-cases act on the instance's own engine (a remote one too: core/remotes.ts).
// dispatch.ts turns any outcome into the Result envelope (nothing is ever thrown).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CreateInput, NameCheck, Settings, SlotInfo } from '../shared/contract';
import { SandboxError, toErrorPayload } from '../core/errors';
import type { EventSink, ProgressEvent } from '../core/events';
import { instanceIdForNewDir, validateInstanceName, worktreeDirName } from '../core/identity';
import { canonical, requireDir, resolveInstance } from '../core/resolve';
import type { Engine } from '../core/deps';
import type { ContainerInfo, InstanceRecord } from '../shared/types';
import { destroyInstance, destroyPreview } from '../core/use-cases/destroy';
import { downInstance } from '../core/use-cases/down';
import { gateInstance } from '../core/use-cases/gate';
import { formatEnv, instanceEnv } from '../core/use-cases/instance-env';
import { followLogs as followServiceLogs, serviceContainers, splitTimestamp } from '../core/use-cases/logs';
import { listSlots } from '../core/use-cases/slot-ops';
import { statusOf } from '../core/use-cases/status';
import { upInstance } from '../core/use-cases/up';
import { exclusive } from '../core/use-cases/exclusive';
import { optional, parseSlot, validateBranchName } from '../core/validate';
import { listSnapshots } from '../core/use-cases/snapshot-admin';
import { createFromSnapshot, resetInstance } from '../core/use-cases/snapshot-reset';
import { validateSnapshotName } from '../core/snapshot-plan';
import { optBool, optObj, optTail, str } from './handler-args';
import type { HandlerContext, Handlers } from './types';
import { createOverlayOption, sharedDataHandlers } from './shared-handlers';

export { DEFAULT_LOG_TAIL } from './handler-args';

export type ServiceHandlers = Handlers & {
  /** Stop every log stream (server shutdown, last client gone). */
  stopAllLogs(): void;
  /** Number of open log streams. */
  openLogStreams(): number;
};

export function createHandlers(ctx: HandlerContext): ServiceHandlers {
  const { deps, state, platform } = ctx;
  const follows = new Map<string, () => void>();
  /** Running starts, by instance id: `cancel` aborts them. */
  const cancels = new Map<string, AbortController>();

  /** Run a start with an abort signal the `cancel` channel can fire. */
  async function cancellable<T>(id: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ac = new AbortController();
    cancels.set(id, ac);
    try {
      return await fn(ac.signal);
    } finally {
      if (cancels.get(id) === ac) cancels.delete(id);
    }
  }

  function repositoryDir(): string | null {
    return platform.settings.get().repositoryRoot ?? state.current().repository;
  }

  /** The main repository create would branch from (same rules as the create use-case). */
  async function mainRepository(dir: string): Promise<string> {
    const start = canonical(dir, deps.files);
    const top = await deps.git.topLevel(start);
    if (!top) {
      throw new SandboxError('USAGE', `${start} is not inside a git repository`, {
        hint: 'Choose your project checkout as the repository in Settings.',
      });
    }
    return deps.git.mainRepo(top);
  }

  async function record(id: unknown): Promise<InstanceRecord> {
    return resolveInstance(deps, { id: str(id, 'instance id') });
  }

  /** Mark the instance busy, stream progress as `<op>:<id>`, refresh the state afterwards. */
  async function operation<T>(op: string, busyLabel: string, idArg: unknown, fn: (id: string, emit: EventSink) => Promise<T>): Promise<T> {
    const id = str(idArg, 'instance id');
    const already = state.current().busy[id];
    if (already) throw new SandboxError('STATE', `"${id}" is busy (${already})`, { hint: 'Wait for the running operation to finish.' });
    state.setBusy(id, busyLabel);
    const emit: EventSink = (e: ProgressEvent) => ctx.emitProgress(`${op}:${id}`, e);
    try {
      // the same per-instance lock as the CLI: a CLI command on this instance makes this wait, and vice versa
      return await exclusive(deps, { id }, op, { wait: true }, emit, () => fn(id, emit));
    } finally {
      await state.refresh().catch(() => undefined);
      state.setBusy(id, null);
    }
  }

  /** The container of one service, and the engine holding it (the same lookup as `ktrdr-sandbox logs SERVICE`). */
  async function containerOf(id: string, service: string): Promise<{ c: ContainerInfo; engine: Engine }> {
    const { containers, deps: on } = await serviceContainers(deps, { id }, [service]);
    const c = containers.find((x) => x.state === 'running') ?? containers[0];
    if (!c) throw new SandboxError('NOT_FOUND', `"${id}" has no container for service "${service}"`);
    return { c, engine: on.engine };
  }

  const handlers: ServiceHandlers = {
    async snapshot() {
      return state.current();
    },

    async status(id) {
      return statusOf(deps, { id: str(id, 'instance id') });
    },

    async slots() {
      const dir = repositoryDir();
      let repo: string | undefined;
      if (dir) repo = await mainRepository(dir).catch(() => undefined); // else the preset's ports
      const rows = await listSlots(deps, repo).catch((err: unknown) => {
        if (repo && (err as { code?: string }).code === 'MANIFEST_INVALID') return listSlots(deps);
        throw err;
      });
      return rows.map((r): SlotInfo => {
        const apiPort = (r.ports.find((p) => p.name === 'api') ?? r.ports[0])?.port ?? 0;
        const info: SlotInfo = { slot: r.slot, state: r.state === 'held' ? 'blacklisted' : r.state, apiPort }; // held: blocked for now, reason says why
        if (r.holder) info.holder = r.holder;
        if (r.reason) info.reason = r.reason;
        return info;
      });
    },

    async checkName(nameArg) {
      const name = typeof nameArg === 'string' ? nameArg : '';
      const res: NameCheck = { name, valid: false };
      if (!name) return { ...res, message: 'Enter a name' };
      try {
        validateInstanceName(name);
      } catch (err) {
        const p = toErrorPayload(err);
        return { ...res, message: p.hint ? `${p.message}. ${p.hint}` : p.message };
      }
      const dir = repositoryDir();
      if (!dir) return { ...res, message: 'Choose a repository first (Settings)' };
      let repo: string;
      try {
        repo = await mainRepository(dir);
      } catch (err) {
        return { ...res, message: toErrorPayload(err).message };
      }
      const path = join(dirname(repo), worktreeDirName(basename(repo), name));
      let id: string;
      try {
        id = instanceIdForNewDir(path); // as create decides: a too-long id is refused, never cut
      } catch (err) {
        return { ...res, path, message: toErrorPayload(err).message };
      }
      const branchExists = await deps.git.branchExists(repo, name).catch(() => false);
      const base: NameCheck = { name, valid: false, id, path, branchExists };
      // the main checkout's own branch (e.g. "main") cannot get a second worktree: say so before git does
      if (
        branchExists &&
        (await Promise.resolve()
          .then(() => deps.git.currentBranch(repo))
          .catch(() => null)) === name
      )
        base.branchCheckedOutAt = repo;
      if (existsSync(path)) return { ...base, message: `${path} already exists` };
      const reg = await deps.registry.read();
      const holder = reg.instances[id];
      if (holder) return { ...base, message: `An instance "${id}" is already registered at ${holder.path}` };
      return { ...base, valid: true };
    },

    async create(input: CreateInput) {
      const o = optObj(input, 'create input');
      const name = str(o.name, 'name');
      let branch: string | undefined;
      if (o.branch !== undefined && o.branch !== null && o.branch !== '') {
        // the branch becomes a git argument: git's ref rules (no leading "-"), checked by the shared validator
        branch = validateBranchName(o.branch);
      }
      const newBranch = optBool(o.newBranch, 'newBranch');
      validateInstanceName(name);
      const slot = optional(o.slot, (v) => parseSlot(v, 'slot'));
      const cwd = repositoryDir();
      if (!cwd) {
        throw new SandboxError('USAGE', 'Choose a repository', {
          hint: 'Set the repository root in Settings, or start the dashboard inside your checkout (ktrdr-sandbox dashboard --repo DIR).',
        });
      }
      // snapshot: a name, null for "start empty", absent for the repository's default (issue 14)
      const snapshot =
        o.snapshot === undefined ? undefined : o.snapshot === null ? null : validateSnapshotName(str(o.snapshot, 'snapshot'));
      const emit: EventSink = (e) => ctx.emitProgress(`create:${name}`, e);
      const more = { ...(newBranch === undefined ? {} : { newBranch }), ...createOverlayOption(o.sharedOverlay) };
      try {
        return (await createFromSnapshot(deps, { name, branch, slot, cwd, snapshot, ...more }, emit)).instance;
      } finally {
        await state.refresh().catch(() => undefined);
      }
    },

    async up(id, opts) {
      const o = optObj(opts, 'options');
      const build = optBool(o.build, 'build');
      const createExternals = optBool(o.createExternals, 'createExternals');
      const upOpts = { ...(build === undefined ? {} : { build }), ...(createExternals === undefined ? {} : { createExternals }) };
      return operation('up', 'starting', id, (i, emit) =>
        cancellable(i, (signal) => upInstance(deps, { id: i }, { ...upOpts, signal }, emit)),
      );
    },

    async down(id, opts) {
      const o = optObj(opts, 'options');
      const volumes = optBool(o.volumes, 'volumes');
      return operation('down', 'stopping', id, async (i, emit) => {
        const r = await downInstance(deps, { id: i }, { volumes: !!volumes }, emit);
        return { id: r.id };
      });
    },

    async restart(id) {
      return operation('restart', 'restarting', id, async (i, emit) => {
        await downInstance(deps, { id: i }, {}, emit);
        return cancellable(i, (signal) => upInstance(deps, { id: i }, { signal }, emit));
      });
    },

    async destroy(id, opts) {
      const o = optObj(opts, 'options');
      const force = optBool(o.force, 'force');
      return operation('destroy', 'destroying', id, (i, emit) => destroyInstance(deps, { id: i }, { force: !!force }, emit));
    },

    async destroyPreview(id) {
      return destroyPreview(deps, { id: str(id, 'instance id') });
    },

    async gate(id) {
      return operation('gate', 'gate', id, (i, emit) => gateInstance(deps, { id: i }, {}, emit));
    },

    async cancel(id) {
      const ac = cancels.get(str(id, 'instance id'));
      if (!ac) return false;
      ac.abort();
      return true;
    },

    async logs(id, service, opts) {
      const tail = optTail(optObj(opts, 'options').tail); // arguments first, then the engine
      const { c, engine } = await containerOf(str(id, 'instance id'), str(service, 'service'));
      const lines = await engine.logs(c.id, { tail });
      return lines.map((l) => l.text);
    },

    async followLogs(id, service, opts) {
      const svc = str(service, 'service');
      const instance = str(id, 'instance id');
      const tail = optTail(optObj(opts, 'options').tail);
      const subscription = `logs-${randomUUID()}`;
      // "*": every service, each line with its service and Docker's timestamp (the panel merges by time)
      const stop =
        svc === '*'
          ? await followServiceLogs(deps, { id: instance }, { services: [], tail }, (l) =>
              ctx.emitLog({ subscription, service: l.service, stream: l.stream, text: l.text, ...(l.time ? { time: l.time } : {}) }),
            )
          : await containerOf(instance, svc).then(({ c, engine }) =>
              engine.followLogs(c.id, { tail, timestamps: true }, (line) => {
                const t = splitTimestamp(line.text);
                ctx.emitLog({ subscription, service: svc, stream: line.stream, text: t.text, ...(t.time ? { time: t.time } : {}) });
              }),
            );
      follows.set(subscription, stop);
      return { subscription };
    },

    async stopLogs(subscription) {
      const stop = follows.get(String(subscription));
      follows.delete(String(subscription));
      stop?.();
    },

    async openLink(url) {
      const u = str(url, 'url');
      let parsed: URL;
      try {
        parsed = new URL(u);
      } catch {
        throw new SandboxError('USAGE', `Not a URL: ${u}`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
        throw new SandboxError('USAGE', `Only http(s) links can be opened, not ${parsed.protocol}`);
      await platform.openExternal(parsed.toString());
    },

    async openFolder(id) {
      const rec = await record(id);
      requireDir(rec, deps.files);
      await platform.openPath(rec.path);
    },

    async openTerminal(id) {
      const rec = await record(id);
      requireDir(rec, deps.files);
      await platform.openTerminal(rec.path);
    },

    async copyEnv(id) {
      // What `ktrdr-sandbox env` prints (no secrets): .env.sandbox variables plus the derived URLs.
      const env = await instanceEnv(deps, { id: str(id, 'instance id') });
      const text = `${formatEnv(env.vars, 'sh')}\n`;
      await platform.copyText(text);
      return text;
    },

    async getSettings() {
      return platform.settings.get();
    },

    async setSettings(patchArg) {
      const patch = optObj(patchArg, 'settings');
      const clean: Partial<Settings> = {};
      for (const key of Object.keys(patch)) {
        const v = patch[key];
        switch (key) {
          case 'repositoryRoot':
            if (v === null || v === '') clean.repositoryRoot = null;
            else {
              const dir = str(v, 'repository root').trim();
              const top = await deps.git.topLevel(canonical(dir, deps.files));
              if (!top)
                throw new SandboxError('USAGE', `${dir} is not inside a git repository`, {
                  hint: 'Choose the folder of your project checkout.',
                });
              clean.repositoryRoot = top;
            }
            break;
          case 'theme':
            if (v !== 'system' && v !== 'light' && v !== 'dark') throw new SandboxError('USAGE', 'theme must be system, light or dark');
            clean.theme = v;
            break;
          case 'startAtLogin':
          case 'notifications':
            clean[key] = optBool(v, key)!;
            break;
          default:
            throw new SandboxError('USAGE', `Unknown setting "${key}"`);
        }
      }
      const next = platform.settings.set(clean);
      if (clean.startAtLogin !== undefined) platform.setStartAtLogin?.(clean.startAtLogin);
      if ('repositoryRoot' in clean) await state.refresh();
      return next;
    },

    async snapshots() {
      const dir = repositoryDir();
      const repo = dir ? await mainRepository(dir).catch(() => null) : null;
      const all = await listSnapshots(deps);
      return repo ? all.filter((s) => s.repo === repo) : all;
    },

    async reset(id, opts) {
      const o = optObj(opts, 'options');
      const snapshot =
        o.snapshot === undefined || o.snapshot === null || o.snapshot === ''
          ? undefined
          : validateSnapshotName(str(o.snapshot, 'snapshot'));
      const force = optBool(o.force, 'force');
      return operation('reset', 'resetting', id, (i, emit) => resetInstance(deps, { id: i }, { snapshot, force }, emit));
    },
    ...sharedDataHandlers(deps, operation),
    stopAllLogs() {
      for (const stop of follows.values()) stop();
      follows.clear();
    },
    openLogStreams: () => follows.size,
  };
  return handlers;
}

export { createDispatch, type CallLog } from './dispatch';
