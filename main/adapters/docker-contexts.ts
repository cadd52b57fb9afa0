// Every docker context the docker CLI knows (~/.docker/contexts/meta/<sha256(name)>/meta.json, or under
// $DOCKER_CONFIG), plus "default", as the engine targets `engines` probes. File access is injected (as in
// docker-endpoint.ts) so the reading rules are unit-testable; *FromSystem wires the real file system.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EngineTarget } from '../core/engines';
import {
  currentContextName,
  dockerConfigDir,
  dockerHostUrl,
  parseDockerHost,
  resolveDockerEndpoint,
  systemFileAccess,
  type EndpointResolveInput,
} from './docker-endpoint';

export interface DockerContextInfo {
  name: string;
  /** Endpoints.docker.Host as written (ssh://…, unix://…, tcp://…) */
  host?: string;
  description?: string;
  /** meta.json unreadable or without a docker endpoint */
  error?: string;
}

export interface ContextListInput extends EndpointResolveInput {
  /** Directory entries, or [] when the directory does not exist. */
  listDir: (p: string) => string[];
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The contexts found under <config>/contexts/meta, sorted by name. Unreadable ones are listed with an error. */
export function listDockerContexts(input: ContextListInput): DockerContextInfo[] {
  const home = input.homedir ?? (input.env.HOME || os.homedir());
  const metaDir = path.join(dockerConfigDir(input.env, home), 'contexts', 'meta');
  const out: DockerContextInfo[] = [];
  for (const digest of input.listDir(metaDir)) {
    const file = path.join(metaDir, digest, 'meta.json');
    const text = input.readFile(file);
    if (text === undefined) continue; // not a context directory
    let meta: Record<string, unknown> | undefined;
    try {
      meta = obj(JSON.parse(text));
    } catch {
      meta = undefined;
    }
    const name = meta?.Name;
    if (typeof name !== 'string' || !name) {
      out.push({ name: `(unreadable ${digest.slice(0, 12)})`, error: `${file} is not a docker context meta file` });
      continue;
    }
    const info: DockerContextInfo = { name };
    const description = obj(meta?.Metadata)?.Description;
    if (typeof description === 'string' && description) info.description = description;
    const host = obj(obj(meta?.Endpoints)?.docker)?.Host;
    if (typeof host === 'string' && host) info.host = host;
    else info.error = 'the context has no docker endpoint';
    // The directory name is sha256(name): a mismatch means a hand-edited or copied context the CLI would not find.
    // (node:crypto loaded here, not at start-up: every command would pay ~3 ms for it)
    if (process.getBuiltinModule('node:crypto').createHash('sha256').update(name).digest('hex') !== digest)
      info.error = `meta.json of "${name}" is in the wrong directory (${digest.slice(0, 12)}…)`;
    out.push(info);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Targets to probe: "default" (what the docker CLI calls it: DOCKER_HOST, else the local socket) first, then
 * every context. `current` marks the engine this tool uses now (resolveDockerEndpoint's choice).
 */
export function engineTargets(input: ContextListInput): EngineTarget[] {
  const home = input.homedir ?? (input.env.HOME || os.homedir());
  const current = input.env.DOCKER_HOST ? null : currentContextName(input, home);
  // "default" ignores any context: resolve with DOCKER_CONTEXT=default (currentContextName reads it as none)
  const def = resolveDockerEndpoint({ ...input, env: { ...input.env, DOCKER_CONTEXT: 'default' } });
  const targets: EngineTarget[] = [
    {
      name: 'default',
      kind: 'default',
      endpoint: dockerHostUrl(def),
      current: current === null,
      description: def.source === 'DOCKER_HOST' ? 'DOCKER_HOST' : 'local socket',
    },
  ];
  for (const c of listDockerContexts(input)) {
    if (c.name === 'default') continue; // reserved by the docker CLI
    const t: EngineTarget = { name: c.name, kind: 'context', endpoint: c.host ?? '', current: c.name === current };
    if (c.description) t.description = c.description;
    if (c.error) t.invalid = c.error;
    else {
      try {
        parseDockerHost(c.host!, `context:${c.name}`, input.env);
      } catch (err) {
        t.invalid = (err as Error).message;
      }
    }
    targets.push(t);
  }
  // a current context that does not exist: say so instead of silently listing "default" as current
  if (current !== null && !targets.some((t) => t.current)) {
    targets.push({ name: current, kind: 'context', endpoint: '', current: true, invalid: `docker context "${current}" does not exist` });
  }
  return targets;
}

export function engineTargetsFromSystem(env: NodeJS.ProcessEnv = process.env): EngineTarget[] {
  return engineTargets({
    ...systemFileAccess(env),
    listDir: (p) => {
      try {
        return readdirSync(p);
      } catch {
        return [];
      }
    },
  });
}
