// Continuous source sync of a remote instance (issue 13), the pure parts: which directories are synced (the
// worktree, the shared data folders), which changes count (not .git, not .env.sandbox*), and the batcher that
// turns a burst of file events into one rsync per directory: debounced (quiet for ~200 ms), bounded (a stream of
// changes still syncs at least every second), never two at once (changes during a sync are sent right after it).
// Time comes from the Clock port; the watching and the rsync are the adapters'.
import type { Clock } from './deps';
import type { Manifest } from './manifest-schema';

/** One directory kept current on the remote host; gitIgnore: .git, .env.sandbox* and what .gitignore ignores stay here. */
export interface SyncTarget {
  dir: string;
  gitIgnore: boolean;
}

/** The worktree, then each shared data folder that exists here (KTRDR_SHARED_DIR, the manifest's shared.mounts). */
export function syncTargets(
  path: string,
  manifest: Pick<Manifest, 'shared'>,
  vars: Record<string, string>,
  exists: (dir: string) => boolean,
  mapped: (dir: string) => boolean = () => false,
): SyncTarget[] {
  const out: SyncTarget[] = mapped(path) ? [] : [{ dir: path, gitIgnore: true }];
  const shared = [vars.KTRDR_SHARED_DIR, ...Object.values(manifest.shared.mounts).map((v) => vars[v])];
  for (const d of new Set(shared.filter((x): x is string => !!x)))
    if (d !== path && exists(d) && !mapped(d)) out.push({ dir: d, gitIgnore: false });
  return out;
}

/** Changes that never reach the remote copy (rsync excludes them), so they do not start a sync: .git, .env.sandbox*, evidence. */
export function ignoredChange(target: SyncTarget, rel: string | null): boolean {
  if (!target.gitIgnore || rel === null) return false;
  const first = rel.split(/[\\/]/)[0] ?? '';
  return first === '.git' || first.startsWith('.env.sandbox') || first === '.sandbox-evidence';
}

export interface BatcherOptions {
  /** Quiet time after the last change before a sync starts. */
  quietMs: number;
  /** A sync starts at most this long after the first change of a batch, however busy the directory. */
  maxWaitMs: number;
}

export const SYNC_BATCH: BatcherOptions = { quietMs: 200, maxWaitMs: 1000 };

/**
 * Coalesces changes by key (a synced directory): `add` marks one changed; `flush` is called with every marked key
 * once the changes go quiet (or maxWaitMs after the first), and never while it is still running — keys marked
 * meanwhile wait for the next call.
 */
export class ChangeBatcher {
  private pending = new Set<string>();
  private firstAt: number | null = null;
  private timer: AbortController | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly flush: (keys: string[]) => Promise<void>,
    private readonly opts: BatcherOptions = SYNC_BATCH,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.firstAt ??= this.clock.now();
    this.schedule();
  }

  /** Keys waiting for the next flush. */
  waiting(): string[] {
    return [...this.pending];
  }

  /** Resolves when nothing is pending or running (tests, and a clean stop). */
  async idle(): Promise<void> {
    while (this.running || (this.pending.size && !this.stopped)) {
      await (this.running ?? this.clock.sleep(this.opts.quietMs));
    }
  }

  stop(): void {
    this.stopped = true;
    this.timer?.abort();
    this.timer = null;
  }

  private schedule(): void {
    if (this.running) return; // run() schedules again when it ends
    this.timer?.abort();
    const timer = new AbortController();
    this.timer = timer;
    const now = this.clock.now();
    const wait = Math.max(0, Math.min(this.opts.quietMs, (this.firstAt ?? now) + this.opts.maxWaitMs - now));
    this.clock.sleep(wait, timer.signal).then(
      () => {
        if (this.timer === timer) this.timer = null;
        this.run();
      },
      () => undefined, // replaced by a later change, or stopped
    );
  }

  private run(): void {
    if (this.running || this.stopped || !this.pending.size) return;
    const keys = [...this.pending];
    this.pending.clear();
    this.firstAt = null;
    this.running = this.flush(keys)
      .catch(() => undefined) // the flush reports its own failures
      .finally(() => {
        this.running = null;
        if (this.pending.size && !this.stopped) {
          this.firstAt = this.clock.now();
          this.schedule();
        }
      });
  }
}
