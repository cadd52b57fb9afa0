// The published ktrdr-sandbox.schema.json must be what the code validates with (regenerate: npm run schema).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestJsonSchema } from '../../../main/core/manifest-schema';

describe('published manifest schema', () => {
  it('matches the zod schema', () => {
    const published = JSON.parse(readFileSync(new URL('../../../ktrdr-sandbox.schema.json', import.meta.url), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(manifestJsonSchema())));
    expect(published.required).toEqual(expect.arrayContaining(['version', 'compose', 'ports']));
  });
});
