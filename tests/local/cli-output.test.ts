// The CLI's output through the real built program: written to the file descriptors (main/cli/stdio.ts), whole
// when the reader reads it all, and a reader that goes away early is not an error (exit 0, nothing on stderr).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from '../integration/world';

function run(args: string[], closeEarly: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (closeEarly)
      p.stdout.destroy(); // the reader is gone before the program writes a byte
    else p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('CLI output', () => {
  it('a document is written whole; a reader that closes early ends the program quietly', async () => {
    const whole = await run(['manifest-schema'], false);
    expect(whole.code, whole.stderr).toBe(0);
    expect(JSON.parse(whole.stdout)).toHaveProperty('$schema');
    const early = await run(['manifest-schema'], true);
    expect([early.code, early.stderr]).toEqual([0, '']);
  });
});
