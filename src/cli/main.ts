/**
 * @module cli/main
 * `shardwire <command>`: dispatches to one file per command. Each command module exports
 * `summary` (one line for --help) and `run(argv) → exit code`.
 */
import { ShardwireError } from '../errors.ts';

interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** Commands are imported lazily so that `--help` never loads the kernel or libsodium. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  agent: () => import('./agent.ts'),
  bench: () => import('./bench.ts'),
  demo: () => import('./demo.ts'),
  keygen: () => import('./keygen.ts'),
  relay: () => import('./relay.ts'),
};

async function help(): Promise<string> {
  const lines = ['usage: shardwire <command> [flags]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${(await load()).summary}`);
  lines.push('', 'Run `shardwire <command> --help` for the flags of one command.');
  return lines.join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await help());
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`shardwire: unknown command ${JSON.stringify(name)}\n\n${await help()}`);
    return 2;
  }
  try {
    return await (await load()).run(rest);
  } catch (e) {
    if (e instanceof ShardwireError) {
      console.error(`shardwire ${name}: ${e.message}\n  hint: ${e.hint}`);
      return 1;
    }
    throw e;
  }
}
