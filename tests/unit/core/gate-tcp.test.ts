import { describe, expect, it } from 'vitest';
import type { Tcp } from '../../../main/core/deps';
import { runGate } from '../../../main/core/gate';
import { container, FakeClock, FakeEngine, FakeHttp, makeManifest } from './fakes';

function gate(tcp: Tcp, port: string | number = '${REDIS_PORT}') {
  const clock = new FakeClock();
  const engine = new FakeEngine([container('cache')], () => ({ exitCode: 0, output: '' }), {});
  const manifest = makeManifest({
    gate: { timeout: 5, interval: 0.25, checks: [{ name: 'cache-tcp', tcp: { port }, service: 'cache' }], containers: { ignore: [] } },
  });
  return runGate({
    instanceId: 'x',
    project: 'proj',
    manifest,
    vars: { REDIS_PORT: '16381' },
    services: ['cache'],
    publishing: ['cache'],
    deps: { engine, http: new FakeHttp(() => ({ status: 200 })), clock, tcp },
    timeoutMs: 5000,
  });
}

describe('gate: tcp checks', () => {
  it('probes host:port with ${VAR} expanded (default host 127.0.0.1), retrying until it holds', async () => {
    const calls: string[] = [];
    let n = 0;
    const r = await gate({
      async probe(host, port, _t, holdMs) {
        calls.push(`${host}:${port}:${holdMs}`);
        return ++n < 3 ? { ok: false, message: 'accepted, then closed at once' } : { ok: true, message: 'accepted and held open 250 ms' };
      },
    });
    expect(r.passed, JSON.stringify(r.checks)).toBe(true);
    expect(calls[0]).toBe('127.0.0.1:16381:250');
    const c = r.checks.find((x) => x.name === 'cache-tcp')!;
    expect(c).toMatchObject({
      state: 'passed',
      attempts: 3,
      message: 'tcp 127.0.0.1:16381: accepted and held open 250 ms',
      services: ['cache'],
    });
  });

  it('fails at the deadline with the last reason; a port that is not a port fails at once', async () => {
    const r = await gate({ probe: async () => ({ ok: false, message: 'connection refused' }) });
    expect(r.passed).toBe(false);
    expect(r.checks.find((x) => x.name === 'cache-tcp')!.message).toMatch(/timed out after 5s: tcp 127.0.0.1:16381: connection refused/);
    const bad = await gate({ probe: async () => ({ ok: true, message: '' }) }, '${UNSET_PORT}');
    expect(bad.checks.find((x) => x.name === 'cache-tcp')).toMatchObject({
      state: 'failed',
      attempts: 1,
      message: 'tcp 127.0.0.1:${UNSET_PORT}: not a port',
    });
  });
});
