// Terminal rendering helpers: aligned label/value lines (long link labels included), and tables.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { labelled, table } from '../../../main/cli/render';

describe('labelled lines', () => {
  it('aligns every value after the longest label, with at least one space', () => {
    expect(labelled([['API docs', 'http://localhost:8001/api/v1/docs'], ['Prometheus', 'http://localhost:9091']])).toEqual([
      '  API docs:   http://localhost:8001/api/v1/docs',
      '  Prometheus: http://localhost:9091',
    ]);
    expect(labelled([['A very long link label', 'x']], '')).toEqual(['A very long link label: x']);
    expect(labelled([])).toEqual([]);
  });

  it('tables keep their header and rows', () => {
    const t = stripVTControlCharacters(table(['NAME', 'URL'], [['api', 'http://localhost:8000']])); // bold headers when colours are on (CI=true)
    expect(t).toMatch(/NAME\s+URL/);
    expect(t).toMatch(/api\s+http:\/\/localhost:8000/);
  });
});
