#!/bin/sh
":" /*'
' # This file is a POSIX shell script (up to the end of this comment) and a CommonJS module (after it).
# Run as a command (npm links it into PATH), the shell part starts node; `node bin/ktrdr-sandbox.cjs …`
# (Windows, tests) skips it — node reads this part as a string and a comment.
#
# 1. node starts WITHOUT NODE_EXTRA_CA_CERTS: with it set, node parses every root certificate plus that file
#    before running a line (~45 ms of a ~90 ms start on a 2-core machine), and the CLI only talks to loopback
#    and the Docker socket. The value travels as KTRDR_SANDBOX_EXTRA_CA_CERTS and is put back into
#    process.env below, so every child process (compose, git, the command of `exec`) gets it unchanged;
#    our own rare HTTPS requests add the file explicitly (main/adapters/extra-ca.ts).
# 2. `exec CMD…` runs CMD in place, like env(1): node works out the instance's environment and hands back a
#    shell script (export …; exec CMD) on fd 3, which this shell evaluates. CMD then replaces this process: its own
#    pid, signals and exit code, and no node process forked from and waiting beside it (~20 ms here).
without_ca() {
  [ -z "${NODE_EXTRA_CA_CERTS:-}" ] || { export KTRDR_SANDBOX_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS"; unset NODE_EXTRA_CA_CERTS; }
}
if [ "${1:-}" = exec ]; then
  # node writes the script to fd 3 (the capture); its stdout (help, usage) stays this script's stdout
  { handoff=$(without_ca; export KTRDR_SANDBOX_EXEC_HANDOFF=3; exec node "$0" "$@" 3>&1 1>&4 4>&-); } 4>&1 || exit
  [ -n "$handoff" ] || exit 0 # --help: node printed it
  eval "$handoff"
fi
without_ca
exec node "$0" "$@"
*/
// CommonJS on purpose (an ES-module entry costs node ~20 ms more to start). The light bundle (env, exec, url,
// open, list, status) is small and starts fast; every other command loads the full bundle. Both, and the
// vendored libraries, are compiled through V8's code cache (bin/compile-cache.cjs).
'use strict';
const deferredCa = process.env.KTRDR_SANDBOX_EXTRA_CA_CERTS;
if (deferredCa !== undefined) {
  delete process.env.KTRDR_SANDBOX_EXTRA_CA_CERTS;
  if (deferredCa !== '' && !process.env.NODE_EXTRA_CA_CERTS) {
    process.env.NODE_EXTRA_CA_CERTS = deferredCa;
    globalThis[Symbol.for('ktrdr-sandbox.deferred-extra-ca-certs')] = deferredCa;
  }
}

const { existsSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
if (!existsSync(join(dist, 'cli.cjs')) || !existsSync(join(dist, 'cli-light.cjs'))) {
  console.error('ktrdr-sandbox is not built yet: run `npm run build` first.');
  process.exit(1);
}
require('./compile-cache.cjs').install(dist);
if (!require(join(dist, 'cli-light.cjs')).main(process.argv)) require(join(dist, 'cli.cjs'));
