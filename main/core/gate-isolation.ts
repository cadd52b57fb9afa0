// The gate's `isolation` check (issue 10): no network this instance's containers join carries a container of
// another project that answers to one of this project's service names or aliases — else name resolution on
// that network may hand our services to the other stack (workers registering with another backend). Read from
// the engine (one container listing, then an inspect of only the foreign containers on shared networks), never
// by a `docker exec` per container. A clash fails the gate at once, naming the other project and the network.
import type { Engine, NetworkPeers } from './deps';

export const ISOLATION_CHECK = 'isolation';
/** The check re-looks (while other checks run) at most this often: a listing of every container each time. */
export const ISOLATION_WATCH_MS = 1_000;

export interface IsolationClash {
  network: string;
  project: string;
  container: string;
  names: string[];
}

/** Foreign containers answering to one of our names, per network. Pure. */
export function isolationClashes(peers: NetworkPeers[], ourNames: Iterable<string>): IsolationClash[] {
  const ours = new Set(ourNames);
  const out: IsolationClash[] = [];
  for (const p of peers) {
    for (const m of p.members) {
      const answers = new Set([...(m.service ? [m.service] : []), ...m.aliases, m.name]);
      const names = [...answers].filter((n) => ours.has(n)).sort();
      if (names.length) out.push({ network: p.network, project: m.project || '(no compose project)', container: m.name, names });
    }
  }
  return out;
}

export function describeClashes(clashes: IsolationClash[]): string {
  const first = clashes[0]!;
  const more = clashes.length > 1 ? ` (+${clashes.length - 1} more)` : '';
  return `isolation broken on network "${first.network}": container ${first.container} of project "${first.project}" answers to ${first.names.join(', ')}${more}`;
}

export type IsolationAttempt =
  { ok: true; message: string; details?: string[] } | { ok: false; final: boolean; message: string; details: string[] };

/** One look at the engine. */
export async function checkIsolation(engine: Pick<Engine, 'networkPeers'>, project: string, ourNames: string[]): Promise<IsolationAttempt> {
  const peers = await engine.networkPeers(project);
  const clashes = isolationClashes(peers, ourNames);
  if (!clashes.length) {
    const shared = peers.filter((p) => p.members.length);
    return {
      ok: true,
      message: `${peers.length} network(s), no other project answers to our names`,
      details: shared.map((p) => `${p.network}: also ${p.members.map((m) => `${m.name}${m.project ? ` (${m.project})` : ''}`).join(', ')}`),
    };
  }
  return {
    ok: false,
    final: true,
    message: describeClashes(clashes),
    details: [
      ...clashes.map((c) => `${c.network}: ${c.container} of "${c.project}" answers to ${c.names.join(', ')}`),
      'Fix: `ktrdr-sandbox up` without --no-isolate (and no `isolation: off` in ktrdr-sandbox.yml) gives each instance its own copy of the shared network; `ktrdr-sandbox doctor` explains.',
    ],
  };
}
