import { describe, expect, it } from 'vitest';
import { describeHolder, isForeign, probeSlotPorts, type PortConflict, type PortHolder } from '../../../main/core/conflicts';
import { slotPorts } from '../../../main/core/ports';
import { ktrdrPreset } from '../../../main/core/preset';
import { container, FakePortProbe, record, registryWith } from './fakes';

const ports = slotPorts(ktrdrPreset, 2); // api 8002, db 5434, grafana 3002, ...
const port = (name: string) => ports.find((p) => p.name === name)!.port;
const published = (hostPort: number, containerPort = hostPort) => [{ hostIp: '0.0.0.0', hostPort, containerPort }];

describe('probeSlotPorts', () => {
  const registry = registryWith(record('ktrdr--self', 2), record('ktrdr--other', 5));

  it('all free → no conflicts, every port probed', async () => {
    const probe = new FakePortProbe();
    expect(await probeSlotPorts({ ports, selfProject: 'ktrdr--self', running: [], registry, probe })).toEqual([]);
    expect(probe.freeCalls.sort()).toEqual(ports.map((p) => p.port).sort());
  });

  it("a port published by this instance's own containers is not a conflict (idempotent up)", async () => {
    const probe = new FakePortProbe(new Map([[8002, { pid: 1, command: 'docker-proxy' }]]));
    const running = [container('backend', { project: 'ktrdr--self', ports: published(8002, 8000) })];
    expect(await probeSlotPorts({ ports, selfProject: 'ktrdr--self', running, registry, probe })).toEqual([]);
    expect(probe.freeCalls).not.toContain(8002);
  });

  it('a port of another registered instance → kind instance, naming it', async () => {
    const running = [container('backend', { project: 'ktrdr--other', name: 'ktrdr--other-backend-1', ports: published(8002) })];
    const res = await probeSlotPorts({ ports, selfProject: 'ktrdr--self', running, registry, probe: new FakePortProbe() });
    expect(res).toEqual([
      {
        port: 8002,
        name: 'api',
        env: 'KTRDR_API_PORT',
        holder: { kind: 'instance', instanceId: 'ktrdr--other', container: 'ktrdr--other-backend-1' },
      },
    ]);
    expect(isForeign(res[0]!)).toBe(false);
  });

  it('a container of an unregistered compose project → kind container', async () => {
    const running = [container('postgres', { project: 'legacy', name: 'legacy-postgres-1', ports: published(port('db'), 5432) })];
    const res = await probeSlotPorts({ ports, selfProject: 'ktrdr--self', running, registry, probe: new FakePortProbe() });
    expect(res).toEqual([
      { port: 5434, name: 'db', env: 'KTRDR_DB_PORT', holder: { kind: 'container', project: 'legacy', container: 'legacy-postgres-1' } },
    ]);
    expect(isForeign(res[0]!)).toBe(true);
  });

  it('stopped containers do not count as holders (the probe decides)', async () => {
    const running = [container('backend', { project: 'ktrdr--other', state: 'exited', ports: published(8002) })];
    const res = await probeSlotPorts({ ports, selfProject: 'ktrdr--self', running, registry, probe: new FakePortProbe() });
    expect(res).toEqual([]);
  });

  it('a port bound by a host process → kind process with pid and command', async () => {
    const probe = new FakePortProbe(new Map([[3002, { pid: 4242, command: 'python3 -m http.server 3002' }]]));
    const res = await probeSlotPorts({ ports, selfProject: 'ktrdr--self', running: [], registry, probe });
    expect(res).toEqual([
      {
        port: 3002,
        name: 'grafana',
        env: 'KTRDR_GRAFANA_PORT',
        holder: { kind: 'process', pid: 4242, command: 'python3 -m http.server 3002' },
      },
    ]);
    expect(isForeign(res[0]!)).toBe(true);
  });

  it('a bound port whose owner is not visible (or the lookup fails) → kind unknown', async () => {
    const hidden = new FakePortProbe(new Map([[9092, null]]));
    expect(await probeSlotPorts({ ports, selfProject: 'ktrdr--self', running: [], registry, probe: hidden })).toEqual([
      { port: 9092, name: 'prometheus', env: 'KTRDR_PROMETHEUS_PORT', holder: { kind: 'unknown' } },
    ]);
    const failing = new FakePortProbe(new Map([[9092, { pid: 1, command: 'x' }]]), true);
    const res = await probeSlotPorts({ ports, selfProject: 'ktrdr--self', running: [], registry, probe: failing });
    expect(res.map((c) => c.holder)).toEqual([{ kind: 'unknown' }]);
    expect(isForeign(res[0]!)).toBe(true);
  });

  it('reports several conflicts in port-map order; selfProject null treats every container as foreign', async () => {
    const probe = new FakePortProbe(new Map([[5020, { pid: 7, command: 'node' }]]));
    const running = [container('backend', { project: 'ktrdr--self', name: 'self-backend', ports: published(8002) })];
    const res = await probeSlotPorts({ ports, selfProject: null, running, registry, probe });
    expect(res.map((c) => [c.port, c.holder.kind])).toEqual([
      [8002, 'instance'],
      [5020, 'process'],
    ]);
  });
});

describe('describeHolder / isForeign', () => {
  const cases: [PortHolder, string, boolean][] = [
    [{ kind: 'self' }, 'this instance', false],
    [
      { kind: 'instance', instanceId: 'ktrdr--b', container: 'ktrdr--b-db-1' },
      'sandbox instance "ktrdr--b" (container ktrdr--b-db-1)',
      false,
    ],
    [{ kind: 'container', project: 'legacy', container: 'legacy-db-1' }, 'container legacy-db-1 of compose project "legacy"', true],
    [{ kind: 'process', pid: 4242, command: 'nginx: master' }, 'process 4242 (nginx: master)', true],
    [{ kind: 'unknown' }, 'an unknown process (not visible to this user; try `sudo lsof -i :PORT`)', true],
  ];
  it.each(cases)('%j', (holder, text, foreign) => {
    expect(describeHolder(holder)).toBe(text);
    const c: PortConflict = { port: 1, name: 'api', env: 'API', holder };
    expect(isForeign(c)).toBe(foreign);
  });
});
