// What the core keeps under the sandbox home: the registry, gate reports, secrets, compose models, locks.
import type { ComposeModel, GateReport, RegistryData } from '../../shared/types';

export interface RegistryStore {
  readonly file: string;
  /** A consistent snapshot (writes are atomic renames, so no lock is needed to read). */
  read(): Promise<RegistryData>;
  /** Read, let fn change the document (or throw to abort without writing), write it back, all under the lock. */
  update<T>(fn: (reg: RegistryData) => T | Promise<T>): Promise<T>;
}

export interface GateStore {
  read(id: string): Promise<GateReport | null>;
  write(report: GateReport): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Per-instance secrets, stored outside the repo (mode 0600), handed to compose through the environment. */
export interface SecretStore {
  /** Values for these names, generating (once) the missing ones; `command` output wins when given. */
  get(id: string, spec: { generate: string[]; command?: string; cwd: string }): Promise<Record<string, string>>;
  remove(id: string): Promise<void>;
  /** Overwrite stored generated values (an instance restored from a snapshot takes the snapshot's). */
  set(id: string, values: Record<string, string>): Promise<void>;
}

/** Parsed compose models, keyed by a signature of the files (paths, sizes, mtimes). Best effort: a cache. */
export interface ComposeModelCache {
  get(signature: string): ComposeModel | undefined;
  set(signature: string, model: ComposeModel): void;
}

/** Who holds an instance's operation lock. */
export interface LockHolder {
  pid: number;
  /** The operation: up, down, destroy, gate, slot-move, restart, … */
  op: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** One operation per instance at a time, across processes (CLI, dashboard, tray). */
export interface InstanceLocks {
  /**
   * Take the lock of instance `id` for `op`, or say who holds it. A lock whose holder process is gone is
   * broken at once (`abandoned`: that holder, when it was a process of this machine). release() is idempotent
   * and only removes this holder's lock.
   */
  tryAcquire(id: string, op: string): Promise<{ release(): Promise<void>; abandoned?: LockHolder } | { holder: LockHolder }>;
}
