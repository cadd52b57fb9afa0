// Before anything else of the e2e run: a Chromium to drive, or a clear failure (see chromium.ts).
import { findChromium } from './chromium';

export default function setup(): void {
  process.stdout.write(`[setup] Chromium: ${findChromium()}\n`);
}
