// A light reading of the compose file(s): which services exist, which are behind profiles, which publish
// host ports. Enough for the gate, `list` and the lint — no compose subprocess (those cost ~0.5 s each).
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SandboxError } from './errors';

export interface ComposeService {
  name: string;
  profiles: string[];
  /** Raw `ports:` entries (short syntax strings, or long syntax rendered as "published:target"). */
  ports: string[];
  containerName?: string;
  hasHealthcheck: boolean;
}

export interface ComposeModel {
  files: string[];
  services: Record<string, ComposeService>;
  externalNetworks: string[];
  externalVolumes: string[];
  /** Every ${VAR} referenced anywhere in the files. */
  variables: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function composeFilePaths(dir: string, files: string[]): string[] {
  return files.map((f) => (isAbsolute(f) ? f : join(dir, f)));
}

export async function readComposeModel(dir: string, files: string[]): Promise<ComposeModel> {
  const paths = composeFilePaths(dir, files);
  const texts: string[] = [];
  for (const p of paths) {
    try {
      texts.push(await readFile(p, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SandboxError('STATE', `Compose file not found: ${p}`, {
          hint: 'Add it to the repository, or name your compose file(s) in ktrdr-sandbox.yml (compose.files).',
        });
      }
      throw err;
    }
  }
  return composeModelFromTexts(paths, texts);
}

export function composeModelFromTexts(paths: string[], texts: string[]): ComposeModel {
  const services: Record<string, ComposeService> = {};
  const nets = new Set<string>();
  const vols = new Set<string>();
  const vars = new Set<string>();
  texts.forEach((text, idx) => {
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) vars.add(m[1]!);
    let doc: unknown;
    try {
      doc = parseYaml(text, { merge: true });
    } catch (err) {
      throw new SandboxError('STATE', `${paths[idx]} is not valid YAML: ${(err as Error).message}`);
    }
    if (!isObj(doc)) return;
    if (isObj(doc.services)) {
      for (const [name, raw] of Object.entries(doc.services)) {
        if (!isObj(raw)) continue;
        const prev = services[name];
        const svc: ComposeService = prev ?? { name, profiles: [], ports: [], hasHealthcheck: false };
        if (Array.isArray(raw.profiles)) svc.profiles = raw.profiles.map(String);
        if (Array.isArray(raw.ports)) svc.ports = svc.ports.concat(raw.ports.map(portText));
        if (typeof raw.container_name === 'string') svc.containerName = raw.container_name;
        if (isObj(raw.healthcheck) && raw.healthcheck.disable !== true) svc.hasHealthcheck = true;
        services[name] = svc;
      }
    }
    collectExternal(doc.networks, nets);
    collectExternal(doc.volumes, vols);
  });
  return { files: paths, services, externalNetworks: [...nets], externalVolumes: [...vols], variables: [...vars].sort() };
}

function portText(p: unknown): string {
  if (isObj(p)) {
    if (p.published === undefined || p.published === null || p.published === '') return String(p.target ?? '');
    return `${p.host_ip ? `${String(p.host_ip)}:` : ''}${String(p.published)}:${String(p.target ?? '')}`;
  }
  return String(p);
}

function collectExternal(section: unknown, into: Set<string>): void {
  if (!isObj(section)) return;
  for (const [key, raw] of Object.entries(section)) {
    if (!isObj(raw) || !raw.external) continue;
    const name = isObj(raw.external) && typeof raw.external.name === 'string' ? raw.external.name : typeof raw.name === 'string' ? raw.name : key;
    into.add(name);
  }
}

/** Services started by a plain `up` (no profile). */
export function defaultServices(model: ComposeModel): ComposeService[] {
  return Object.values(model.services).filter((s) => s.profiles.length === 0);
}

/** Services that publish at least one host port (container-only ports are not "published"). */
export function publishingServices(model: ComposeModel): string[] {
  return defaultServices(model)
    .filter((s) => s.ports.some((p) => p.includes(':')))
    .map((s) => s.name);
}
