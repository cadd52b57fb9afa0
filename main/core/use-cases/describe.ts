// What create/init/up print about an instance: where it is, its slot, every port and link.
import type { ComposeModel } from '../compose-model';
import type { Deps } from '../deps';
import { composeModelOf, loadInstance, type LoadedInstance } from '../resolve';
import { markPortUsage } from '../reconcile';
import { slotPorts } from '../ports';
import { linksFor } from '../views';
import type { InstanceRecord } from '../../shared/types';
import type { InstanceDetails } from '../../shared/results';
export type { InstanceDetails } from '../../shared/results';

export async function describeInstance(deps: Deps, rec: InstanceRecord): Promise<InstanceDetails> {
  const ctx = await loadInstance(deps, rec);
  return describeLoaded(ctx, await composeModelOf(ctx, deps).catch(() => null));
}

/** The description of a loaded instance (pure). model: null when unreadable (links of absent services are then shown). */
export function describeLoaded(ctx: LoadedInstance, model: ComposeModel | null): InstanceDetails {
  const { rec } = ctx;
  const ports = slotPorts(ctx.manifest, rec.slot);
  return {
    id: rec.id,
    path: rec.path,
    slot: rec.slot,
    kind: rec.kind,
    branch: rec.branch,
    createdAt: rec.createdAt,
    ports: model ? markPortUsage(ports, model) : ports,
    links: linksFor(ctx.manifest, ctx.vars, model),
    envFile: `${rec.path}/.env.sandbox`,
  };
}
