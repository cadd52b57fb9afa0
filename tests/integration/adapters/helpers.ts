// Helpers for the adapter tests (integration; tests/local/adapters/git uses tempDir): temp dirs, unique compose
// project names, a small stack.
import { randomBytes } from 'node:crypto';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const IMAGE = 'debian:bookworm-slim';

export function uniqueProject(prefix: string): string {
  return `ktrdr-it-${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), `ktrdr-${prefix}-`)));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A service that logs one line on each stream, then sleeps; healthy after ~1 s; plus a named volume. */
export const STACK_YAML = `services:
  app:
    image: ${IMAGE}
    init: true
    command: ["sh", "-c", "echo out-line; echo err-line >&2; exec sleep 300"]
    environment:
      - GREETING=\${GREETING:-unset}
      - SECRET_VALUE=\${SECRET_X:-none}
    volumes:
      - data:/data
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      timeout: 20s
      retries: 5
  tool:
    image: ${IMAGE}
    profiles: [e2e]
    command: ["sh", "-c", "echo tool-ran"]
volumes:
  data: {}
`;

export async function writeStack(dir: string, yaml = STACK_YAML, envText = 'GREETING=hello-from-envfile\n'): Promise<void> {
  await writeFile(path.join(dir, 'docker-compose.yml'), yaml);
  await writeFile(path.join(dir, '.env.sandbox'), envText);
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
