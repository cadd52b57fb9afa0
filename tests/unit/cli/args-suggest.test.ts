// main/cli/args/suggest.ts: "(Did you mean …?)" as commander's suggestSimilar picks it.
import { describe, expect, it } from 'vitest';
import { editDistance, suggestSimilar } from '../../../main/cli/args/suggest';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions, and a swap of neighbours as one', () => {
    expect(editDistance('list', 'list')).toBe(0);
    expect(editDistance('lst', 'list')).toBe(1);
    expect(editDistance('lisst', 'list')).toBe(1);
    expect(editDistance('lost', 'list')).toBe(1);
    expect(editDistance('lsit', 'list')).toBe(1);
    expect(editDistance('a', 'abcdef')).toBe(6); // more than 3 apart in length: the worst case at once
  });
});

describe('suggestSimilar', () => {
  const commands = ['create', 'list', 'ls', 'status', 'slots', 'slot', 'help'];
  it('the closest name, or the closest ones, sorted', () => {
    expect(suggestSimilar('lsit', commands)).toBe('\n(Did you mean list?)');
    expect(suggestSimilar('slo', commands)).toBe('\n(Did you mean slot?)');
    expect(suggestSimilar('slotz', commands)).toBe('\n(Did you mean one of slot, slots?)');
  });

  it('nothing when too far (3 edits, or 40 % alike or less), nor one-letter names', () => {
    expect(suggestSimilar('zzzzzz', commands)).toBe('');
    expect(suggestSimilar('xyz', ['abc'])).toBe('');
    expect(suggestSimilar('ab', ['a', 'b'])).toBe('');
  });

  it('options compare without their dashes and are suggested with them', () => {
    expect(suggestSimilar('--jsn', ['--json', '--verbose', '--help'])).toBe('\n(Did you mean --json?)');
    expect(suggestSimilar('--prune', ['--no-prune', '--json', '--help'])).toBe('\n(Did you mean --no-prune?)');
  });
});
