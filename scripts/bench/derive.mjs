// Zero configuration: deriving the manifest of a 20-service compose file (no ktrdr-sandbox.yml), as the
// user meets it: `ports --check --json` (reads and parses the file, derives the slot map and the gate,
// proves the 11 slots distinct), median of 9 wall times interleaved with bare node start-up and with the same
// command on the KTRDR preset (nothing to derive): their difference is what deriving costs a command. And the
// derivation alone, in a fresh process: main/core/derive-manifest.ts bundled with esbuild, YAML library load
// included (cold), then warm.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, interleaved, makeWorld, median, must, ROOT, time } from './lib.mjs';

/** deriveManifest of the 20-service file in a fresh node process: [cold ms (YAML library load included), warm median ms]. */
async function inProcess(text) {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'kts-derive-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { deriveManifest } from ${JSON.stringify(join(ROOT, 'main/core/derive-manifest.ts'))};\n` +
        `const text = require('node:fs').readFileSync(process.argv[2], 'utf8');\n` +
        `let t0 = performance.now(); const { parse } = require('yaml'); const d = deriveManifest(['compose.yaml'], [text], parse); const cold = performance.now() - t0;\n` +
        `const warm = []; for (let i = 0; i < 20; i++) { t0 = performance.now(); deriveManifest(['compose.yaml'], [text], parse); warm.push(performance.now() - t0); }\n` +
        `console.log(JSON.stringify({ cold, warm, ports: d.manifest.ports.length }));\n`,
    );
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: join(dir, 'entry.cjs'),
      external: ['yaml'],
      nodePaths: [join(ROOT, 'node_modules')],
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'compose.yaml'), text);
    const r = spawnSync('node', [join(dir, 'entry.cjs'), join(dir, 'compose.yaml')], {
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    });
    if (r.status !== 0) throw new Error(r.stderr);
    const o = JSON.parse(r.stdout);
    return [o.cold, median(o.warm)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function twentyServices() {
  const lines = ['services:'];
  for (let i = 0; i < 20; i++) {
    lines.push(`  svc${i}:`, '    image: example:1');
    // clustered defaults (neighbours need stride 10), a mix of HTTP and TCP ports, half with healthchecks
    lines.push('    ports:', `      - "127.0.0.1:\${SVC${i}_PORT:-${8000 + i}}:${i % 2 ? 5432 : 8080}"`);
    if (i % 3 === 0) lines.push(`      - "\${SVC${i}_ADMIN_PORT:-${9100 + i}}:9000"`);
    if (i % 2 === 0) lines.push('    healthcheck:', '      test: ["CMD", "true"]', '      interval: 1s');
    lines.push('    environment:', `      NAME: svc${i}`, '    depends_on: []');
  }
  return `${lines.join('\n')}\n`;
}

export async function deriveBench() {
  const w = makeWorld('zcbench');
  const preset = makeWorld('zcbenchpreset');
  try {
    const [cold, warm] = await inProcess(twentyServices());
    rmSync(join(w.repo, 'docker-compose.sandbox.yml'));
    writeFileSync(join(w.repo, 'compose.yaml'), twentyServices());
    const first = must(w.cli(['ports', '--check', '--json']), 'ports --check');
    if (!first.json.check.ok || !first.json.source.startsWith('derived')) throw new Error(`unexpected: ${first.stdout}`);
    const m = interleaved(9, {
      node: () => time(() => spawnSync('node', ['-e', ''], { env: w.env })),
      ports: () => must(w.cli(['ports', '--check', '--json']), 'ports').ms,
      preset: () => must(preset.cli(['ports', '--check', '--json']), 'ports (preset)').ms,
      init: () => must(w.cli(['manifest', 'init', '--stdout']), 'manifest init').ms,
    });
    const n = first.json.slots[0].ports.length;
    return [
      { metric: 'node -e "" (not a target)', value: fmt(m.node), target: '-', ok: true },
      {
        metric: `derive the manifest of a 20-service compose file (${n} slot ports), in a fresh process, YAML library load included · warm`,
        value: `${fmt(cold)} · ${warm.toFixed(1)} ms`,
        target: '≤ 300 ms',
        ok: cold <= 300,
      },
      {
        metric: '`ports --check --json` on the KTRDR preset (nothing to derive; not a target), median of 9',
        value: fmt(m.preset),
        target: '-',
        ok: true,
      },
      {
        metric: `derive a 20-service compose file (${n} slot ports): \`ports --check --json\` wall, median of 9`,
        value: fmt(m.ports),
        target: '≤ 300 ms over the preset',
        ok: m.ports - m.preset <= 300,
      },
      { metric: '`manifest init --stdout` (derive + render + validate) wall, median of 9', value: fmt(m.init), target: '-', ok: true },
    ];
  } finally {
    w.cleanup();
    preset.cleanup();
  }
}
