// What runs right now, while it runs: on a terminal one live line, rewritten in place (`\r`) every 100 ms —
// spinner, the step, its elapsed time, its current sub-steps (compose's "Starting backend") — cleared before any
// other line is printed; on a pipe a plain "… still running" line every 10 s. Both point to --verbose while a
// step runs long. Finished steps are printed by the caller (renderEvent) through print().
import pc from './colors';
import type { ProgressEvent } from '../core/events';

const FRAMES = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
const LONG_MS = 5000;

export interface LiveProgress {
  event(e: ProgressEvent): void;
  /** Print a finished line (the live line is cleared first and drawn again after it). */
  print(line: string): void;
  /** The live line as it would be drawn now ('' when nothing runs). */
  current(now?: number): string;
}

export function createLiveProgress(o: {
  /** Whether stdout is a terminal: asked once, when a step first runs (a command that runs none, `env` or
   * `list`, never makes node build process.stdout — a socket and the stream machinery for a pipe, ~1 ms). */
  tty: () => boolean;
  verbose: boolean;
  write: (s: string) => void;
  now?: () => number;
  tickMs?: number;
  plainEveryMs?: number;
}): LiveProgress {
  const now = o.now ?? Date.now;
  const running = new Map<string, { label: string; at: number; parent?: string }>();
  let shown = 0; // width of the live line on screen
  let frame = 0;
  let timer: NodeJS.Timeout | null = null;
  let lastPlain = 0;
  let ttyAnswer: boolean | undefined;
  const tty = () => (ttyAnswer ??= o.tty());

  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  function current(t = now()): string {
    const top = [...running.values()].filter((r) => !r.parent);
    const main = top[top.length - 1] ?? [...running.values()][0];
    if (!main) return '';
    const subs = [...running.values()].filter((r) => r.parent).map((r) => r.label);
    const elapsed = t - main.at;
    let s = `${main.label} ${seconds(elapsed)}`;
    if (subs.length) s += ` · ${subs.slice(-3).join(', ')}`;
    if (!o.verbose && elapsed >= LONG_MS) s += ' (--verbose shows compose output)';
    return s;
  }
  const clear = () => {
    if (shown) o.write(`\r${' '.repeat(shown)}\r`);
    shown = 0;
  };
  const draw = () => {
    const text = current();
    clear();
    if (!text) return;
    const width = Math.max(20, (process.stdout.columns ?? 100) - 1);
    const line = `  ${FRAMES[frame++ % FRAMES.length]} ${text}`.slice(0, width);
    o.write(pc.cyan(line.slice(0, 3)) + line.slice(3));
    shown = line.length;
  };
  const tick = () => {
    if (!running.size) {
      if (timer) clearInterval(timer);
      timer = null;
      clear();
      return;
    }
    if (tty()) draw();
    else if (now() - lastPlain >= (o.plainEveryMs ?? 10_000)) {
      lastPlain = now();
      o.write(`  … ${current()}\n`);
    }
  };
  return {
    event(e) {
      if (e.type !== 'step') return;
      if (e.state === 'running') {
        if (!running.has(e.id)) running.set(e.id, { label: e.label, at: now(), ...(e.parent ? { parent: e.parent } : {}) });
        else running.get(e.id)!.label = e.label;
        if (!timer) {
          lastPlain = now();
          timer = setInterval(tick, tty() ? (o.tickMs ?? 100) : 1000);
          timer.unref();
        }
      } else {
        running.delete(e.id);
        if (!e.parent) for (const [k, r] of running) if (r.parent === e.id) running.delete(k);
      }
    },
    print(line) {
      clear(); // the live line, if one is drawn
      o.write(`${line}\n`);
      if (running.size && tty()) draw();
    },
    current,
  };
}
