import { describe, expect, it } from 'vitest';
import { toEngineEvent } from '../../../main/adapters/container-info';
import { JsonLineParser } from '../../../main/adapters/json-lines';

function event(action: string, id: string) {
  return {
    status: action,
    id,
    Type: 'container',
    Action: action,
    Actor: { ID: id, Attributes: { 'com.docker.compose.project': 'proj', 'com.docker.compose.service': 'web', name: 'proj-web-1' } },
    scope: 'local',
    time: 1700000000,
  };
}

describe('events stream parsing', () => {
  const stream = [event('start', 'a'), event('health_status: healthy', 'a'), event('die', 'b')]
    .map((e) => JSON.stringify(e) + '\n')
    .join('');

  it('parses objects however the chunks split or join lines', () => {
    for (const size of [1, 5, 17, 64, stream.length]) {
      const got: unknown[] = [];
      const p = new JsonLineParser((v) => got.push(toEngineEvent(v)));
      const bytes = Buffer.from(stream);
      for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
      p.end();
      expect(got, `chunk size ${size}`).toEqual([
        { project: 'proj', service: 'web', action: 'start', containerId: 'a' },
        { project: 'proj', service: 'web', action: 'health_status: healthy', containerId: 'a' },
        { project: 'proj', service: 'web', action: 'die', containerId: 'b' },
      ]);
    }
  });

  it('reports bad lines and keeps going; a last object without newline is parsed at end', () => {
    const good: unknown[] = [];
    const bad: string[] = [];
    const p = new JsonLineParser(
      (v) => good.push(v),
      (l) => bad.push(l),
    );
    p.push('{"a":1}\n{broken\n\n  \n{"b":2}');
    expect(good).toEqual([{ a: 1 }]);
    p.end();
    expect(good).toEqual([{ a: 1 }, { b: 2 }]);
    expect(bad).toEqual(['{broken']);
  });
});
