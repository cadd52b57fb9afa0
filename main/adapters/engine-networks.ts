// Network queries and changes for ownership and isolation: who is on which network under which names (the gate's
// isolation check: one container listing, then an inspect of only the foreign containers sharing a network
// with the instance), connecting a shared collector to an instance's own network, and disconnecting it again.
import type { NetworkMember, NetworkPeers } from '../core/deps';
import { LABEL_INSTANCE, LABEL_OWNER } from '../core/labels';
import { LABEL_PROJECT, LABEL_SERVICE } from './container-info';

interface RawListed {
  Id: string;
  Names?: string[] | null;
  Labels?: Record<string, string> | null;
  State?: string;
  NetworkSettings?: { Networks?: Record<string, { NetworkID?: string }> | null } | null;
}

interface RawInspect {
  Id: string;
  Name?: string;
  Config?: { Labels?: Record<string, string> | null } | null;
  NetworkSettings?: { Networks?: Record<string, { Aliases?: string[] | null }> | null } | null;
}

export interface NetworkOpsHost {
  call<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  getJson<T>(path: string, query: Record<string, string | boolean | object>, signal: AbortSignal): Promise<T>;
  json<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Record<string, never>,
    signal: AbortSignal | undefined,
    body?: unknown,
  ): Promise<T>;
  queryTimeoutMs: number;
}

function member(id: string, name: string, labels: Record<string, string>, aliases: string[]): NetworkMember {
  const m: NetworkMember = {
    id,
    name: name.replace(/^\//, ''),
    project: labels[LABEL_PROJECT] ?? '',
    service: labels[LABEL_SERVICE] ?? '',
    aliases: aliases.filter((a) => a !== id.slice(0, 12)),
  };
  if (labels[LABEL_INSTANCE]) m.instance = labels[LABEL_INSTANCE];
  if (labels[LABEL_OWNER]) m.owner = labels[LABEL_OWNER];
  return m;
}

export function networkOps(h: NetworkOpsHost) {
  const inspect = (id: string, signal: AbortSignal) => h.getJson<RawInspect>(`/containers/${encodeURIComponent(id)}/json`, {}, signal);

  return {
    /** Every network a running container of `project` joins, with the OTHER running containers on it and their names there. */
    async networkPeers(project: string): Promise<NetworkPeers[]> {
      return h.call(h.queryTimeoutMs, async (signal) => {
        const all = await h.getJson<RawListed[]>('/containers/json', { all: false }, signal);
        const ours = all.filter((c) => c.Labels?.[LABEL_PROJECT] === project);
        const nets = new Set(ours.flatMap((c) => Object.keys(c.NetworkSettings?.Networks ?? {})));
        const out: NetworkPeers[] = [];
        const foreignIds = new Set<string>();
        for (const net of nets) {
          const others = all.filter(
            (c) => c.Labels?.[LABEL_PROJECT] !== project && Object.keys(c.NetworkSettings?.Networks ?? {}).includes(net),
          );
          for (const o of others) foreignIds.add(o.Id);
          out.push({ network: net, members: others.map((o) => member(o.Id, o.Names?.[0] ?? o.Id, o.Labels ?? {}, [])) });
        }
        // aliases are not in the listing: inspect only the foreign containers that share a network with us
        const details = new Map<string, RawInspect>();
        await Promise.all([...foreignIds].map(async (id) => details.set(id, await inspect(id, signal).catch(() => ({ Id: id })))));
        for (const p of out) {
          for (const m of p.members)
            m.aliases = (details.get(m.id)?.NetworkSettings?.Networks?.[p.network]?.Aliases ?? []).filter((a) => a !== m.id.slice(0, 12));
        }
        return out;
      });
    },

    /** The containers on a network (null when the network does not exist), with their aliases on it. */
    async networkMembers(network: string): Promise<NetworkMember[] | null> {
      return h.call(h.queryTimeoutMs, async (signal) => {
        let net: { Containers?: Record<string, { Name?: string }> | null };
        try {
          net = await h.getJson(`/networks/${encodeURIComponent(network)}`, {}, signal);
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404 || /no such network|not found/i.test(String((err as Error).message)))
            return null;
          throw err;
        }
        const ids = Object.keys(net.Containers ?? {});
        const found = await Promise.all(ids.map((id) => inspect(id, signal).catch(() => null)));
        return found
          .filter((c): c is RawInspect => c !== null)
          .map((c) => member(c.Id, c.Name ?? c.Id, c.Config?.Labels ?? {}, c.NetworkSettings?.Networks?.[network]?.Aliases ?? []));
      });
    },

    async connectNetwork(network: string, container: string, aliases: string[]): Promise<void> {
      await h.call(h.queryTimeoutMs, (signal) =>
        h.json('POST', `/networks/${encodeURIComponent(network)}/connect`, {}, signal, {
          Container: container,
          EndpointConfig: { Aliases: aliases },
        }),
      );
    },

    async disconnectNetwork(network: string, container: string): Promise<void> {
      await h.call(h.queryTimeoutMs, (signal) =>
        h.json('POST', `/networks/${encodeURIComponent(network)}/disconnect`, {}, signal, { Container: container, Force: true }),
      );
    },
  };
}
