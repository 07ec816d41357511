// How the CLI tests run `shardwire`: the TypeScript entry under tsx (what `npm run cli` runs), so
// `npm test` needs no compiled dist/. test:package runs the compiled bin from the packed tarball.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ENTRY = fileURLToPath(new URL('../../../src/cli/run.ts', import.meta.url));
/** argv (after the node binary) that runs the CLI. */
export const CLI_ARGS = ['--import', import.meta.resolve('tsx'), ENTRY];

/** Runs `shardwire ...args` to completion. */
export function cli(args: readonly string[], o: { cwd?: string; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...CLI_ARGS, ...args], {
    encoding: 'utf8',
    timeout: o.timeout ?? 30_000,
    cwd: o.cwd,
  });
}

/** Starts `shardwire ...args` in its own process group, with piped output. */
export function cliSpawn(args: readonly string[], o: { cwd?: string } = {}) {
  return spawn(process.execPath, [...CLI_ARGS, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    cwd: o.cwd,
  });
}
