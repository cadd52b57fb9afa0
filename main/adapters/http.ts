// HTTP GET for readiness checks: status and (truncated) text body; rejects on network errors and timeouts.
import type { Http } from '../core/deps';

export const MAX_BODY_BYTES = 64 * 1024;

async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    if (size >= max) await reader.cancel().catch(() => undefined);
    else reader.releaseLock();
  }
  const buf = Buffer.concat(chunks);
  return new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(0, Math.min(buf.length, max)));
}

export function createHttp(): Http {
  return {
    async get(url: string, timeoutMs: number) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const res = await fetch(url, { signal, redirect: 'follow', headers: { accept: '*/*' } });
        return { status: res.status, body: await readCapped(res, MAX_BODY_BYTES) };
      } catch (err) {
        if (signal.aborted) throw new Error(`GET ${url} timed out after ${timeoutMs} ms`);
        const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : err instanceof Error ? `: ${err.message}` : '';
        throw new Error(`GET ${url} failed${cause}`);
      }
    },
  };
}
