// After `up`: the external stack's containers on a shared network (a shared collector, Jaeger, …) are connected
// to the instance's own stand-in network under the names they answer to there, so telemetry still reaches them
// by name. Before `down`/`destroy`: they are disconnected again, so compose can remove the network.
// Never connected: containers of sandbox instances (ours or anyone's), and never under one of our own names.
import type { Deps, NetworkMember } from '../deps';
import { isolatedNetworkName, sharedNetworks } from '../override/isolation';
import type { ComposeModel } from '../../shared/types';
import { composeModelOf, type LoadedInstance } from '../resolve';

export interface IsolationLink {
  shared: string;
  network: string;
  container: string;
  aliases: string[];
}

/** The names this project's services answer to (service names and declared aliases). */
export function projectNames(model: ComposeModel): Set<string> {
  return new Set(Object.values(model.services).flatMap((s) => [s.name, ...(s.aliases ?? [])]));
}

/** What to connect: members of the shared network that belong to no sandbox instance, with names not ours. */
export function linksFor(id: string, model: ComposeModel, shared: string, members: NetworkMember[]): IsolationLink[] {
  const ours = projectNames(model);
  const network = isolatedNetworkName(id, shared);
  return members
    .filter((m) => m.project !== id && !m.instance)
    .map((m) => ({
      shared,
      network,
      container: m.name,
      aliases: [...new Set([...(m.service ? [m.service] : []), ...m.aliases, m.name])].filter((a) => !ours.has(a)),
    }));
}

export async function linkSharedServices(deps: Deps, id: string, model: ComposeModel): Promise<IsolationLink[]> {
  const e = deps.engine;
  const done: IsolationLink[] = [];
  for (const net of sharedNetworks(model)) {
    const [members, mine] = await Promise.all([e.networkMembers(net.name), e.networkMembers(isolatedNetworkName(id, net.name))]);
    if (!members || !mine) continue; // no shared network (nothing to reach), or no stand-in (isolation off)
    const already = new Set(mine.map((m) => m.id));
    for (const link of linksFor(id, model, net.name, members)) {
      const m = members.find((x) => x.name === link.container)!;
      if (already.has(m.id)) continue;
      await e.connectNetwork(link.network, m.id, link.aliases);
      done.push(link);
    }
  }
  return done;
}

/** Disconnect every container of another project from the instance's stand-in networks. */
export async function unlinkSharedServices(deps: Deps, id: string, model: ComposeModel): Promise<number> {
  const e = deps.engine;
  let n = 0;
  for (const net of sharedNetworks(model)) {
    const name = isolatedNetworkName(id, net.name);
    const members = await e.networkMembers(name);
    for (const m of members ?? []) {
      if (m.project === id) continue;
      await e.disconnectNetwork(name, m.id).catch(() => undefined);
      n++;
    }
  }
  return n;
}

/** Before compose down: let go of isolation's connections; best effort (compose reports what really fails). */
export async function releaseSharedLinks(deps: Deps, ctx: LoadedInstance): Promise<void> {
  try {
    await unlinkSharedServices(deps, ctx.rec.id, await composeModelOf(ctx, deps));
  } catch {
    // no compose model (a broken file) or no engine answer: compose down will say what is wrong
  }
}
