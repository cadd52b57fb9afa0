// The engine adapter's two failures: the engine did not answer (EngineUnavailableError, exit 4, with a
// message that says what to do) or it answered with an error (DockerApiError: status code, message, endpoint).
import { EngineUnavailableError } from '../core/deps';
import { apiError, DockerApiError } from './docker-api';
import type { DockerEndpoint } from './docker-endpoint';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENOTSOCK',
  'ENOTCONN',
  'ECONNABORTED',
]);

function errCode(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err ? errCode(cause) : undefined;
}

/** True for errors that mean "the engine is not reachable" (as opposed to an API error such as 404). */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof EngineUnavailableError) return true;
  if (err === null || typeof err !== 'object') return false;
  if (typeof (err as { statusCode?: unknown }).statusCode === 'number') return false;
  const code = errCode(err);
  return code !== undefined && CONNECTION_CODES.has(code);
}

function startHint(ep: DockerEndpoint): string {
  if (ep.kind === 'tcp') {
    const via =
      ep.source === 'DOCKER_HOST'
        ? 'DOCKER_HOST'
        : ep.source.startsWith('context:')
          ? `docker context "${ep.source.slice(8)}"`
          : 'the endpoint';
    return `start the engine on that host or fix ${via}`;
  }
  if (ep.source === 'DOCKER_HOST') return 'start Docker Desktop or dockerd, or fix/unset DOCKER_HOST';
  if (ep.source.startsWith('context:'))
    return `start Docker Desktop or dockerd, or switch docker context (current: "${ep.source.slice(8)}")`;
  return 'start Docker Desktop or dockerd';
}

export function unavailableMessage(ep: DockerEndpoint, code?: string): string {
  if (code === 'EACCES' || code === 'EPERM') {
    return `Permission denied on the Docker socket (${ep.display}): add your user to the "docker" group and log in again, or fix the socket's permissions`;
  }
  if (ep.kind === 'tcp') return `Docker engine is not reachable (${ep.display}${code ? `, ${code}` : ''}): ${startHint(ep)}`;
  return `Docker is not running (${ep.display}): ${startHint(ep)}`;
}

export function timeoutMessage(ep: DockerEndpoint, ms: number): string {
  return `Docker engine did not answer within ${ms} ms (${ep.display}): ${startHint(ep)}, or restart it if it hangs`;
}

/**
 * Map connection failures to EngineUnavailableError and API answers (dockerode's, on ssh:// endpoints, too) to
 * DockerApiError; return other errors (a timeout of our own, a bug) unchanged.
 */
export function mapEngineError(err: unknown, ep: DockerEndpoint): unknown {
  if (err instanceof EngineUnavailableError || err instanceof DockerApiError) return err;
  const status = err !== null && typeof err === 'object' ? (err as { statusCode?: unknown }).statusCode : undefined;
  if (typeof status === 'number') {
    const e = apiError(status, (err as { json?: unknown }).json ?? (err as { reason?: unknown }).reason ?? '', ep.display);
    (e as { cause?: unknown }).cause = err;
    return e;
  }
  if (!isConnectionError(err)) return err;
  const e = new EngineUnavailableError(unavailableMessage(ep, errCode(err)), ep.display);
  (e as { cause?: unknown }).cause = err;
  return e;
}
