// evidence on the running fixture stack: wall time, median of 5.
import { fmt, makeWorld, median, must } from './lib.mjs';

export async function evidenceTime() {
  const w = makeWorld();
  try {
    const inst = must(w.cli(['create', 'bench-ev', '--json']), 'create').json.instance;
    must(w.cli(['up', '--json'], inst.path), 'up');
    must(w.cli(['evidence', '--json'], inst.path), 'evidence');
    const m = median(Array.from({ length: 5 }, () => must(w.cli(['evidence', '--json'], inst.path), 'evidence').ms));
    return [{ metric: '`evidence` on the running fixture stack, median of 5', value: fmt(m), target: '≤ 3 s', ok: m <= 3000 }];
  } finally {
    w.cleanup();
  }
}
