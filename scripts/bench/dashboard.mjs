// The live dashboard (issue 4): with 10 registered instances, 3 of them running —
//  • Docker API requests over 30 s of idleness, counted by a proxy in front of the engine socket (target 0);
//  • a container dying → reflected in the pushed state (SSE), median of 5 (target ≤ 1 s);
//  • dashboard server RSS (target ≤ 150 MB); first contentful paint in Chromium (target ≤ 1 s).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { fmt, makeWorld, median, must } from './lib.mjs';

function countingProxy(path, target = '/var/run/docker.sock') {
  const stats = { requests: 0 };
  const server = createServer((client) => {
    const upstream = createConnection(target);
    client.on('data', (d) => {
      for (const m of d.toString('latin1').matchAll(/(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) \/\S* HTTP\/1\.[01]\r\n/g)) if (m) stats.requests++;
      upstream.write(d);
    });
    upstream.on('data', (d) => client.write(d));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  if (existsSync(path)) rmSync(path);
  return new Promise((r) => server.listen(path, () => r({ stats, close: () => server.close() })));
}

function sse(url, token, onEvent) {
  const ac = new AbortController();
  (async () => {
    const res = await fetch(url, { headers: { 'x-ktrdr-token': token, accept: 'text/event-stream' }, signal: ac.signal });
    const dec = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body) {
      buf += dec.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (ev && data) onEvent(ev, JSON.parse(data));
      }
    }
  })().catch(() => undefined);
  return () => ac.abort();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function dashboard() {
  const w = makeWorld();
  const proxyPath = join(w.root, 'docker-proxy.sock');
  const proxy = await countingProxy(proxyPath);
  let server;
  try {
    const insts = [];
    for (let i = 0; i < 10; i++) insts.push(must(w.cli(['create', `d${i}`, '--json']), 'create').json.instance);
    for (const inst of insts.slice(0, 3)) must(w.cli(['up', '--json'], inst.path), `up ${inst.id}`);
    server = spawnBehindProxy(w, proxyPath);
    const { url, port } = await readInfo(server);
    const token = new URL(url).searchParams.get('token');
    let latest = null;
    const stop = sse(`http://127.0.0.1:${port}/api/events`, token, (ev, data) => {
      if (ev === 'state') latest = { at: performance.now(), data };
    });
    await sleep(5000);
    const before = proxy.stats.requests;
    await sleep(30_000);
    const idle = proxy.stats.requests - before;

    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]);

    const victim = insts[1];
    const running = () => latest?.data.instances.find((i) => i.id === victim.id)?.containers.running ?? -1;
    const container = execFileSync('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${victim.id}`, '--filter', 'label=com.docker.compose.service=training-worker-2'], { encoding: 'utf8' }).trim();
    const deaths = [];
    for (let i = 0; i < 5; i++) {
      while (running() !== 9) await sleep(50);
      const t0 = performance.now();
      execFileSync('docker', ['kill', container], { stdio: 'ignore' });
      while (running() !== 8 && performance.now() - t0 < 10_000) await sleep(5);
      deaths.push(latest.at - t0);
      execFileSync('docker', ['start', container], { stdio: 'ignore' });
    }
    stop();

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
    });
    const paints = [];
    try {
      for (let i = 0; i < 5; i++) {
        const ctx = await browser.newContext();
        const page = await ctx.newPage();
        await page.goto(url, { waitUntil: 'load' });
        await page.waitForTimeout(300);
        const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
        paints.push(fcp);
        await ctx.close();
      }
    } finally {
      await browser.close();
    }
    const death = median(deaths);
    const paint = median(paints);
    return [
      { metric: 'Docker API requests while idle for 30 s (3 running, 10 registered)', value: String(idle), target: '0', ok: idle === 0 },
      { metric: 'container death → pushed state, median of 5', value: fmt(death), target: '≤ 1 s', ok: death <= 1000 },
      { metric: 'dashboard server RSS, 10 instances', value: `${Math.round(rssKb / 1024)} MB`, target: '≤ 150 MB', ok: rssKb / 1024 <= 150 },
      { metric: 'first contentful paint (Chromium), median of 5', value: fmt(paint), target: '≤ 1 s', ok: paint >= 0 && paint <= 1000 },
    ];
  } finally {
    server?.kill();
    proxy.close();
    w.cleanup();
  }
}

function spawnBehindProxy(w, proxyPath) {
  const saved = w.env.DOCKER_HOST;
  w.env.DOCKER_HOST = `unix://${proxyPath}`;
  const child = w.spawnCli(['dashboard', '--port', '0', '--json', '--repo', w.repo]);
  if (saved === undefined) delete w.env.DOCKER_HOST;
  else w.env.DOCKER_HOST = saved;
  child.stderr.resume();
  return child;
}

function readInfo(child) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      try {
        resolve(JSON.parse(out));
      } catch {
        /* partial */
      }
    });
    child.on('exit', (c) => reject(new Error(`dashboard exited ${c}: ${out}`)));
  });
}
