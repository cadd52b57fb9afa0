// Instance-aware telemetry (issue 10 item 7): services that already speak OpenTelemetry (an OTEL_* variable in
// their environment) get `sandbox.instance=<id>` in OTEL_RESOURCE_ATTRIBUTES, merged with the value they
// declare, so spans and metrics sent to a shared collector say which instance sent them.
import type { ComposeModel } from '../../shared/types';
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
      doc.services![svc.name] = {
        environment: { OTEL_RESOURCE_ATTRIBUTES: withInstanceAttribute(svc.otelEnv.OTEL_RESOURCE_ATTRIBUTES, id) },
      };
    }
    return doc;
  },
};

/**
 * A Jaeger link opened filtered to the instance, where that means something: the link is named `jaeger`, it
 * points at a Jaeger this instance does not run itself (no slot port variable of the manifest in its URL: a
 * shared one), and some service of the instance tags its telemetry (it uses OTEL_* variables). Else unchanged.
 */
export function instanceLinkUrl(
  link: { name: string; url: string },
  url: string,
  portVars: string[],
  model: ComposeModel | null | undefined,
  id: string | undefined,
): string {
  if (link.name !== 'jaeger' || !model || !id) return url;
  if (portVars.some((v) => link.url.includes(`\${${v}}`))) return url;
  const tagged = Object.values(model.services).find((s) => s.otelEnv);
  if (!tagged) return url;
  const named = tagged.otelEnv?.OTEL_SERVICE_NAME;
  const service = named && !named.includes('$') ? named : tagged.name;
  const tags = encodeURIComponent(JSON.stringify({ [INSTANCE_ATTRIBUTE]: id }));
  return `${url.replace(/\/+$/, '')}/search?service=${encodeURIComponent(service)}&tags=${tags}`;
}
