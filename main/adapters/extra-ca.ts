// NODE_EXTRA_CA_CERTS for our own HTTPS requests. The command launcher (bin/ktrdr-sandbox.cjs) starts node
// without it — node would parse every root certificate plus that file before running a line, ~45 ms of each
// CLI command — and puts it back into process.env for child processes. The rare HTTPS request of the CLI
// (an https:// readiness check, a TLS Docker endpoint without its own ca.pem) adds the file here instead.
import { readFileSync } from 'node:fs';

const DEFERRED = Symbol.for('ktrdr-sandbox.deferred-extra-ca-certs');

/** `ca` for an HTTPS request when the launcher deferred NODE_EXTRA_CA_CERTS; undefined otherwise (node has them). */
export function deferredExtraCa(): string[] | undefined {
  const file = (globalThis as Record<symbol, unknown>)[DEFERRED];
  if (typeof file !== 'string' || file === '') return undefined;
  try {
    return [...process.getBuiltinModule('node:tls').rootCertificates, readFileSync(file, 'utf8')];
  } catch {
    return undefined; // unreadable: node itself would only have warned and gone on without it
  }
}
