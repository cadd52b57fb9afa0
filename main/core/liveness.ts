// Is the process that wrote an intent record (or holds a lock) still running? Signal 0 probes without
// signalling: ESRCH = gone, EPERM = alive under another user. A pid reused after a reboot reads as alive,
// which only delays a repair (never loses anything).
export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
