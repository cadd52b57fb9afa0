// Writing the CLI's output: straight to file descriptors 1 and 2 (fs.writeSync), not through process.stdout and
// process.stderr. Node builds those stream objects on first touch — for a pipe, a socket over net and the stream
// machinery, ~1 ms, and ~2 ms more for its first write — which a `list --json` whose whole work is ~15 ms does not
// need to pay (README: Performance). Writes are synchronous either way (node writes pipes and files synchronously
// on Linux and macOS), so the order of lines is the same.
// A reader that goes away (`ktrdr-sandbox list | head`) is not an error: the process ends quietly with its exit code.
// A descriptor left non-blocking by whoever started us (EAGAIN) gets the rest through node's stream, which waits.
import { writeSync } from 'node:fs';

const quietOnEpipe = new Set<1 | 2>(); // the streams a fallback write went through, hooked once each

function writeAll(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (code !== 'EAGAIN') throw err;
    const stream = fd === 1 ? process.stdout : process.stderr;
    if (!quietOnEpipe.has(fd)) {
      quietOnEpipe.add(fd);
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
        throw e;
      });
    }
    stream.write(buf.subarray(off));
  }
}

export function writeStdout(text: string): void {
  writeAll(1, text);
}

export function writeStderr(text: string): void {
  writeAll(2, text);
}
