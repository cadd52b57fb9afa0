#!/usr/bin/env node
// Generates every icon the desktop app ships, with no dependency beyond Node (zlib): tray icons for each
// aggregate state (idle, running, failing, busy, down) as macOS template images (black + alpha) and as
// light/dark-theme variants for Windows and Linux, at 16 px and 32 px (@2x), plus the 512 px app icon.
// Deterministic: run `node build/make-icons.mjs` and the same bytes come out.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'icons');
const trayOut = join(out, 'tray');

// ---- PNG encoding (RGBA, 8 bit) ----
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- Rasterising: layers of shapes in unit coordinates (0..1), 4x4 supersampling ----
// A layer is { inside(x, y) => boolean, color: [r, g, b] | null } — null erases (punches a hole).
function render(size, layers) {
  const rgba = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (px + (sx + 0.5) / S) / size;
          const y = (py + (sy + 0.5) / S) / size;
          let col = null;
          for (const l of layers) if (l.inside(x, y)) col = l.color;
          if (col) {
            r += col[0];
            g += col[1];
            b += col[2];
            a += 1;
          }
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        rgba[i] = Math.round(r / a);
        rgba[i + 1] = Math.round(g / a);
        rgba[i + 2] = Math.round(b / a);
        rgba[i + 3] = Math.round((a / (S * S)) * 255);
      }
    }
  }
  return rgba;
}

const C = 0.5;
const disc = (r) => (x, y) => (x - C) ** 2 + (y - C) ** 2 <= r * r;
const ring = (r, w) => (x, y) => {
  const d = Math.hypot(x - C, y - C);
  return d <= r && d >= r - w;
};
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const roundRect = (x0, y0, x1, y1, rad) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + rad), x1 - rad);
  const cy = Math.min(Math.max(y, y0 + rad), y1 - rad);
  return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
};
const and =
  (...fs) =>
  (x, y) =>
    fs.every((f) => f(x, y));
const segment = (x0, y0, x1, y1, w) => (x, y) => {
  const dx = x1 - x0,
    dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy)) <= w / 2;
};

const R = 0.42; // outer radius of the status glyph
const W = 0.13; // ring width
// The "!" of the failing glyph: a bar and a dot.
const bang = [rect(0.44, 0.2, 0.56, 0.57), (x, y) => (x - C) ** 2 + (y - 0.72) ** 2 <= 0.07 ** 2];

/** The glyph of each state as layers; `fg` is the glyph colour, `accent` the status colour, `cut` the colour of
 * marks drawn on top of a filled disc (null = transparent hole, for template images). */
function glyph(state, fg, accent, cut) {
  switch (state) {
    case 'idle':
      return [{ inside: ring(R, W), color: fg }];
    case 'running':
      return [{ inside: disc(R), color: accent }];
    case 'failing':
      return [
        { inside: disc(R), color: accent },
        { inside: bang[0], color: cut },
        { inside: bang[1], color: cut },
      ];
    case 'busy':
      return [
        { inside: ring(R, W), color: accent },
        { inside: and(disc(R), (x) => x <= C), color: accent },
      ];
    case 'down':
      return [
        { inside: ring(R, W), color: fg },
        { inside: and(segment(0.2, 0.8, 0.8, 0.2, W), disc(R - W / 2)), color: fg },
      ];
    default:
      throw new Error(`unknown state ${state}`);
  }
}

const STATES = ['idle', 'running', 'failing', 'busy', 'down'];
const BLACK = [0, 0, 0];
const WHITE = [255, 255, 255];
const THEMES = {
  // Icons for a LIGHT menu bar / taskbar: dark glyph.
  light: { fg: [36, 41, 47], accent: { running: [26, 127, 55], failing: [207, 34, 46], busy: [191, 135, 0] } },
  // Icons for a DARK menu bar / taskbar: light glyph.
  dark: { fg: [240, 242, 245], accent: { running: [63, 185, 80], failing: [248, 81, 73], busy: [227, 179, 65] } },
};

function write(file, size, layers) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, encodePng(size, render(size, layers)));
}

for (const state of STATES) {
  for (const [suffix, size] of [
    ['', 16],
    ['@2x', 32],
  ]) {
    // macOS template image: black + alpha; the OS tints it for the menu bar.
    write(join(trayOut, `tray-${state}Template${suffix}.png`), size, glyph(state, BLACK, BLACK, null));
    for (const [theme, t] of Object.entries(THEMES)) {
      const accent = t.accent[state] ?? t.fg;
      write(join(trayOut, `tray-${state}-${theme}${suffix}.png`), size, glyph(state, t.fg, accent, WHITE));
    }
  }
}

// ---- App icon: a rounded tile holding three stacked "stacks", each with a status light ----
function appIcon() {
  const bg = [27, 42, 65];
  const bar = [232, 238, 246];
  const layers = [{ inside: roundRect(0.04, 0.04, 0.96, 0.96, 0.2), color: bg }];
  const lights = [
    [63, 185, 80],
    [63, 185, 80],
    [227, 179, 65],
  ];
  for (let i = 0; i < 3; i++) {
    const y0 = 0.2 + i * 0.215;
    layers.push({ inside: roundRect(0.17, y0, 0.83, y0 + 0.165, 0.045), color: bar });
    const cy = y0 + 0.0825;
    layers.push({ inside: (x, y) => (x - 0.27) ** 2 + (y - cy) ** 2 <= 0.038 ** 2, color: lights[i] });
    layers.push({ inside: roundRect(0.4, cy - 0.018, 0.72, cy + 0.018, 0.018), color: [150, 162, 180] });
  }
  return layers;
}
write(join(out, 'icon.png'), 512, appIcon());
write(join(out, '256x256.png'), 256, appIcon());

console.log(`icons written to ${out}`);
