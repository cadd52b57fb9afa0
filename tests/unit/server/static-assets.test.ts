// The dashboard server's static file cache: content negotiation, background compression, re-reading on change.
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAssetCache, inlineStylesheets, pickEncoding, preloadDynamicImports } from '../../../main/server/static-assets';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kts-assets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pickEncoding', () => {
  it('follows Accept-Encoding with q-values, in the server order of preference', () => {
    expect(pickEncoding(undefined)).toBeNull();
    expect(pickEncoding('')).toBeNull();
    expect(pickEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(pickEncoding('gzip, deflate, br', ['gzip'])).toBe('gzip');
    expect(pickEncoding('deflate')).toBeNull();
    expect(pickEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(pickEncoding('BR; Q=0.0, GZIP')).toBe('gzip');
    expect(pickEncoding('*')).toBe('br');
    expect(pickEncoding('*, br;q=0')).toBe('gzip');
    expect(pickEncoding(['gzip', 'br'])).toBe('br');
    expect(pickEncoding('identity')).toBeNull();
  });
});

describe('asset cache', () => {
  it('serves the body as it is until the compressed variants are ready, then the best accepted one', async () => {
    const text = 'body { color: red }\n'.repeat(500);
    await writeFile(join(dir, 'a.css'), text);
    const cache = createAssetCache();
    const a = await cache.get(join(dir, 'a.css'));
    expect(a.type).toBe('text/css; charset=utf-8');
    expect(a.body.toString()).toBe(text);
    await a.compressed;
    expect(cache.encoded(a, 'gzip')!.encoding).toBe('gzip');
    expect(gunzipSync(cache.encoded(a, 'gzip')!.body).toString()).toBe(text);
    expect(cache.encoded(a, 'gzip, br')!.encoding).toBe('br');
    expect(cache.encoded(a, undefined)).toBeNull();
    expect(await cache.get(join(dir, 'a.css'))).toBe(a); // read once
  });

  it('leaves small and binary files alone', async () => {
    await writeFile(join(dir, 'tiny.js'), 'x()');
    await writeFile(join(dir, 'i.png'), Buffer.alloc(5000, 1));
    const cache = createAssetCache();
    for (const f of ['tiny.js', 'i.png']) {
      const a = await cache.get(join(dir, f));
      await a.compressed;
      expect(cache.encoded(a, 'gzip, br')).toBeNull();
    }
  });

  it('re-reads a file that changed (a rebuild while the server runs)', async () => {
    const f = join(dir, 'index.html');
    await writeFile(f, '<p>one</p>');
    const cache = createAssetCache();
    expect((await cache.get(f)).body.toString()).toBe('<p>one</p>');
    await writeFile(f, '<p>two!</p>');
    await utimes(f, new Date(), new Date(Date.now() + 5000));
    expect((await cache.get(f)).body.toString()).toBe('<p>two!</p>');
    await rm(f);
    await expect(cache.get(f)).rejects.toThrow();
  });

  it('warms a whole directory', async () => {
    await writeFile(join(dir, 'x.js'), 'let a = 1;\n'.repeat(400));
    const cache = createAssetCache();
    await cache.warm(dir);
    const a = await cache.get(join(dir, 'x.js'));
    expect(cache.encoded(a, 'gzip')).not.toBeNull();
    await cache.warm(join(dir, 'missing')); // no throw
  });
});

describe('inlineStylesheets', () => {
  const page =
    '<head><link rel="icon" href="./favicon.svg"><link rel="stylesheet" crossorigin href="./assets/a.css"><link rel=stylesheet href=./assets/b.css></head>';

  it('replaces each stylesheet link by its text, leaving other links alone', async () => {
    const css: Record<string, string> = { './assets/a.css': 'a{color:red}', './assets/b.css': 'b{x:$&}' };
    const out = await inlineStylesheets(page, async (href) => css[href] ?? null);
    expect(out).toBe('<head><link rel="icon" href="./favicon.svg"><style>a{color:red}</style><style>b{x:$&}</style></head>');
  });

  it('keeps the link when the file is unknown, unreadable, or could end the <style> early', async () => {
    expect(await inlineStylesheets(page, async () => null)).toBe(page);
    expect(await inlineStylesheets(page, async () => Promise.reject(new Error('EACCES')))).toBe(page);
    expect(await inlineStylesheets(page, async () => 'a{}</STYLE><script>x</script>')).toBe(page);
  });
});

describe('preloadDynamicImports', () => {
  const tag = '<script type="module" crossorigin src="./assets/index-AAAA1111.js"></script>';
  const page = `<head>${tag}<link rel="stylesheet" href="./assets/x.css"></head>`;

  it('preloads the chunks a module script imports dynamically, next to the script', async () => {
    const code =
      'const a=()=>import("./start-BbBb2222.js");const b=import( \'./x/lazy-C3.mjs\' );import("./start-BbBb2222.js");import(dynamicName);import("https://cdn.example/x.js")';
    const out = await preloadDynamicImports(page, async (src) => (src === './assets/index-AAAA1111.js' ? code : null));
    expect(out).toBe(
      `<head>${tag}<link rel="modulepreload" crossorigin href="./assets/start-BbBb2222.js"><link rel="modulepreload" crossorigin href="./assets/x/lazy-C3.mjs"><link rel="stylesheet" href="./assets/x.css"></head>`,
    );
    const rooted = '<script type="module" src="/assets/i.js"></script>';
    expect(await preloadDynamicImports(rooted, async () => 'import("../s.js")')).toBe(
      `${rooted}<link rel="modulepreload" crossorigin href="/s.js">`,
    );
  });

  it('leaves the page alone when there is nothing to preload or the script cannot be read', async () => {
    expect(await preloadDynamicImports(page, async () => 'console.log(1)')).toBe(page);
    expect(await preloadDynamicImports(page, async () => null)).toBe(page);
    expect(await preloadDynamicImports(page, async () => Promise.reject(new Error('gone')))).toBe(page);
    expect(await preloadDynamicImports('<script src="./classic.js"></script>', async () => 'import("./x.js")')).toBe(
      '<script src="./classic.js"></script>',
    );
  });
});
