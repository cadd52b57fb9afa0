import { describe, expect, it } from 'vitest';
import { byText } from '../../../main/core/order';

describe('byText', () => {
  it('orders identifiers ordinally, the same in every locale', () => {
    expect(['worker-10', 'backend', 'worker-2', 'Backend', 'db'].sort(byText)).toEqual([
      'Backend',
      'backend',
      'db',
      'worker-10',
      'worker-2',
    ]);
    expect(['2026-01-02T00:00:00Z', '2025-12-31T23:59:59Z'].sort(byText)).toEqual(['2025-12-31T23:59:59Z', '2026-01-02T00:00:00Z']);
    expect(byText('a', 'a')).toBe(0);
  });
});
