// The environment of an instance for host commands (`exec`) and shells (`env`): .env.sandbox variables plus
// derived URLs. Secrets are added for `exec` only and are never printed.
import type { Deps } from '../deps';
import { SandboxError } from '../errors';
import { onInstanceEngine } from '../instance-context';
import { composeModelOf, loadInstance, resolveInstance, type LoadedInstance, type InstanceRef } from '../resolve';
import { linksFor } from '../views';
import { linkServices, serviceAbsence } from '../reconcile';

export interface InstanceEnv {
  id: string;
  path: string;
  vars: Record<string, string>;
}

export function derivedVariables(ctx: LoadedInstance): Record<string, string> {
  const out: Record<string, string> = { SANDBOX_INSTANCE_DIR: ctx.rec.path };
  const api = ctx.manifest.ports.find((p) => p.name === 'api');
  if (api) {
    const port = ctx.vars[api.env];
    out.KTRDR_API_URL = `http://localhost:${port}`;
  }
  for (const l of linksFor(ctx.manifest, ctx.vars)) {
    out[`SANDBOX_URL_${l.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`] = l.url;
  }
  return out;
}

/**
 * The instance's environment. forwards (`exec`): an instance on a remote engine gets its connection and its
 * slot's port forwards back first, so the host command reaches it on localhost (`env` opens no connection).
 */
export async function instanceEnv(
  deps: Deps,
  ref: InstanceRef,
  opts: { secrets?: boolean; forwards?: boolean } = {},
): Promise<InstanceEnv> {
  const rec = opts.forwards ? (await onInstanceEngine(deps, ref)).rec : await resolveInstance(deps, ref);
  const ctx = await loadInstance(deps, rec);
  const vars = { ...ctx.vars, ...derivedVariables(ctx) };
  if (opts.secrets) Object.assign(vars, await deps.secrets.get(rec.id, { ...ctx.manifest.secrets, cwd: rec.path }));
  return { id: rec.id, path: rec.path, vars };
}

export type EnvFormat = 'sh' | 'fish' | 'json' | 'dotenv';

/** POSIX shell single-quoting: safe for any string (no expansion at all inside '…'). */
export function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function commandNotFound(cmd: string): string {
  return `ktrdr-sandbox exec: command not found: ${cmd}`;
}

/** fish single quotes: only \\ and \' are escapes inside them (so a trailing backslash must be doubled). */
export function fishQuote(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * A dotenv value that `set -a; . FILE` (sh, bash) and compose's env-file parsers (v1 python-dotenv, v2
 * compose-go) all read literally — never expanding $VAR or running $(…) or `…`: bare when harmless, else in
 * single quotes (literal everywhere), else (a ' or a newline inside) in double quotes with \\ \" \$ \` escaped.
 * (`docker run --env-file` does no unquoting at all: it would keep the quotes, still without expanding.)
 */
export function dotenvQuote(v: string): string {
  if (/^[\w./:@%+,=-]*$/.test(v)) return v;
  if (!/['\n\r]/.test(v)) return `'${v}'`;
  return `"${v.replace(/([\\"$`])/g, '\\$1')}"`;
}

export function formatEnv(vars: Record<string, string>, format: EnvFormat): string {
  const q = shellQuote;
  const entries = Object.entries(vars);
  // a name that is not a variable name could smuggle shell syntax into `eval "$(ktrdr-sandbox env)"`
  for (const [k] of entries) if (!ENV_NAME.test(k)) throw new SandboxError('STATE', `"${k}" is not a valid environment variable name`);
  switch (format) {
    case 'sh':
      return entries.map(([k, v]) => `export ${k}=${q(v)}`).join('\n');
    case 'fish':
      return entries.map(([k, v]) => `set -gx ${k} ${fishQuote(v)};`).join('\n');
    case 'json':
      return JSON.stringify(vars, null, 2);
    case 'dotenv':
      return entries.map(([k, v]) => `${k}=${dotenvQuote(v)}`).join('\n');
    default:
      throw new SandboxError('USAGE', `Unknown format "${String(format)}" (sh, fish, json, dotenv)`);
  }
}

export async function instanceUrl(
  deps: Deps,
  ref: InstanceRef,
  name: string | undefined,
): Promise<{ name: string; label: string; url: string }[]> {
  const rec = await resolveInstance(deps, ref);
  const ctx = await loadInstance(deps, rec);
  const model = await composeModelOf(ctx, deps).catch(() => null); // links of absent services are not shown
  const links = linksFor(ctx.manifest, ctx.vars, model);
  if (!name) return links;
  const l = links.find((x) => x.name === name.toLowerCase());
  if (!l) {
    const hidden = ctx.manifest.links.find((x) => x.name === name.toLowerCase());
    const absent =
      hidden && model
        ? linkServices(ctx.manifest, hidden.url)
            .map((s) => serviceAbsence(model, s))
            .find(Boolean)
        : undefined;
    if (absent)
      throw new SandboxError('USAGE', `No link "${hidden!.name}" for this instance: ${absent}`, {
        hint: `Links: ${links.map((x) => x.name).join(', ') || '(none)'}`,
      });
    throw new SandboxError('USAGE', `No link named "${name}"`, { hint: `Links: ${links.map((x) => x.name).join(', ')}` });
  }
  return [l];
}
