// The dashboard server's plain answers: JSON, text, a minimal HTML page (token and build errors) and the
// contract's error shape. Never cached: every answer may carry live state.
import type { ServerResponse } from 'node:http';
import { toErrorPayload, type SandboxError } from '../core/errors';

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title><style>body{font:15px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#333}code{background:#eee;padding:.1rem .3rem;border-radius:3px}</style></head><body><h1>${title}</h1>${body}</body></html>`;
}

export function sendJson(res: ServerResponse, status: number, data: unknown): void {
  const body = JSON.stringify(data);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, text: string, html = false): void {
  res.writeHead(status, {
    'Content-Type': html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function errorJson(res: ServerResponse, status: number, err: SandboxError): void {
  sendJson(res, status, { ok: false, error: toErrorPayload(err) });
}
