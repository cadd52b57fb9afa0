// ktrdr-sandbox: the command-line surface. Parses arguments, calls the core, renders. Nothing else.
// This is the full CLI (dist/cli.cjs); the most frequent commands are also built into the light one
// (main/cli/light.ts) which bin/ktrdr-sandbox.cjs tries first.
import type { Command } from 'commander';
import { registerAgent } from './commands/agent';
import { registerDashboard } from './commands/dashboard';
import { registerDoctor } from './commands/doctor';
import { registerEngines } from './commands/engines';
import { registerPlacement } from './commands/placement';
import { registerEnv } from './commands/env';
import { registerEvidence } from './commands/evidence';
import { registerInspect } from './commands/inspect';
import { registerLifecycle } from './commands/lifecycle';
import { registerManifest } from './commands/manifest';
import { registerDemo } from './commands/demo';
import { registerOverview } from './commands/overview';
import { registerShared } from './commands/shared';
import { registerSnapshot } from './commands/snapshot';
import { createProgram, runProgram } from './program';
import { createRuntime } from './runtime';

export function buildProgram(): Command {
  const rt = createRuntime();
  const program = createProgram();
  registerLifecycle(program, rt);
  registerOverview(program, rt);
  registerInspect(program, rt);
  registerDashboard(program, rt);
  registerEnv(program, rt);
  registerAgent(program, rt);
  registerEvidence(program, rt);
  registerShared(program, rt);
  registerDoctor(program, rt);
  registerManifest(program, rt);
  registerDemo(program, rt);
  registerEngines(program, rt);
  registerPlacement(program, rt);
  registerSnapshot(program, rt);
  return program;
}

runProgram(buildProgram(), process.argv);
