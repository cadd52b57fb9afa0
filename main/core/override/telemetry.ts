// Instance-aware telemetry (issue 10 item 7): services that already speak OpenTelemetry (an OTEL_* variable in
// their environment) get `sandbox.instance=<id>` in OTEL_RESOURCE_ATTRIBUTES, merged with the value they
// declare, so spans and metrics sent to a shared collector say which instance sent them.
import type { Contribution, OverrideDoc } from './types';

export const INSTANCE_ATTRIBUTE = 'sandbox.instance';

/** An OTEL_RESOURCE_ATTRIBUTES value (k=v,k=v) with sandbox.instance set to id, other attributes kept. */
export function withInstanceAttribute(existing: string | null | undefined, id: string): string {
  const parts = (existing ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith(`${INSTANCE_ATTRIBUTE}=`));
  return [...parts, `${INSTANCE_ATTRIBUTE}=${id}`].join(',');
}

export const telemetryContribution: Contribution = {
  name: 'telemetry',
  build({ id, model }) {
    const doc: Partial<OverrideDoc> = { services: {} };
    for (const svc of Object.values(model.services)) {
      if (!svc.otelEnv) continue;
      doc.services![svc.name] = { environment: { OTEL_RESOURCE_ATTRIBUTES: withInstanceAttribute(svc.otelEnv.OTEL_RESOURCE_ATTRIBUTES, id) } };
    }
    return doc;
  },
};
