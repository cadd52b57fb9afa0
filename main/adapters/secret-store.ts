// Per-instance secrets in ~/.ktrdr/sandbox/secrets/<id>.env (0600). Generated once; or provided by a command.
import { promises as fsp, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretStore } from '../core/deps';
import { parseEnvFile } from '../core/envfile';
import { SandboxError } from '../core/errors';

export function createSecretStore(home: string): SecretStore {
  const dir = join(home, 'secrets');
  const file = (id: string) => join(dir, `${id}.env`);
  return {
    async get(id, spec) {
      if (spec.command) {
        const { execa } = await import('execa'); // loaded only when a command provides the secrets
        const res = await execa('sh', ['-c', spec.command], { cwd: spec.cwd, reject: false, timeout: 30_000 });
        if (res.exitCode !== 0) {
          throw new SandboxError('SECRETS_FAILED', `The secrets command failed (exit ${res.exitCode ?? 'timeout'}): ${spec.command}`, {
            hint: `${String(res.stderr).split('\n').slice(-3).join(' ').trim() || 'no output'} — fix the command; ktrdr-sandbox never falls back to default passwords.`,
          });
        }
        const provided = parseEnvFile(String(res.stdout));
        const missing = spec.generate.filter((n) => !provided[n]);
        if (missing.length) {
          throw new SandboxError('SECRETS_FAILED', `The secrets command did not provide ${missing.join(', ')}`);
        }
        return provided;
      }
      if (!spec.generate.length) return {};
      let stored: Record<string, string> = {};
      try {
        stored = parseEnvFile(readFileSync(file(id), 'utf8')); // small: see adapters/files.ts
      } catch {
        stored = {};
      }
      const missing = spec.generate.filter((n) => !stored[n]);
      if (missing.length) {
        const { randomBytes } = process.getBuiltinModule('node:crypto'); // not at start-up: only generating needs it
        for (const n of missing) stored[n] = randomBytes(18).toString('base64url');
        await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
        const { default: writeFileAtomic } = await import('write-file-atomic');
        const text = Object.entries(stored)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n');
        await writeFileAtomic(file(id), `${text}\n`, { mode: 0o600 });
        await fsp.chmod(file(id), 0o600);
      }
      return Object.fromEntries(spec.generate.map((n) => [n, stored[n]!]));
    },
    async remove(id) {
      await fsp.rm(file(id), { force: true });
    },
    async set(id, values) {
      let stored: Record<string, string>;
      try {
        stored = parseEnvFile(readFileSync(file(id), 'utf8'));
      } catch {
        stored = {};
      }
      Object.assign(stored, values);
      await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
      const { default: writeFileAtomic } = await import('write-file-atomic');
      await writeFileAtomic(
        file(id),
        `${Object.entries(stored)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')}\n`,
        { mode: 0o600 },
      );
      await fsp.chmod(file(id), 0o600);
    },
  };
}
