/**
 * @module cli/main
 * `shardwire <command>`: dispatches to one file per command. Each command module exports
 * `summary` (one line for --help), `usage` and `run(argv)`, which resolves when the command is
 * done (0) or throws. Failures are reported here, the same way for every command, as one line
 * on stderr without a stack trace: exit code 2 for a usage error (unknown command or flag,
 * missing or malformed value), 1 for a runtime error (port in use, unreadable file, ...).
 */
import { readFileSync } from 'node:fs';
import { ShardwireError } from '../errors.ts';
import { isUsageError, usageError } from './args.ts';
import { describeSystemError } from './system-errors.ts';

/** One command of the CLI. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number>;
}

/** Commands are imported lazily so that `--help` never loads the kernel or libsodium. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  agent: () => import('./agent.ts'),
  relay: () => import('./relay.ts'),
  keygen: () => import('./keygen.ts'),
  pubkey: () => import('./pubkey.ts'),
  demo: () => import('./demo.ts'),
  'serve-example': () => import('./serve-example.ts'),
  bench: () => import('./bench.ts'),
};

/** The package version (package.json sits two folders up from src/cli/ and dist/cli/ alike). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function help(): Promise<string> {
  const lines = ['usage: shardwire <command> [flags]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(14)} ${(await load()).summary}`);
  lines.push('', '  --help, -h     this text; `shardwire <command> --help` lists the flags of one command');
  lines.push('  --version      print the version');
  lines.push('', 'Exit codes: 0 success, 1 runtime error, 2 usage error.');
  return lines.join('\n');
}

/** The one line printed for a failure, and the exit code. */
export function report(command: string, e: unknown): { line: string; code: number } {
  const who = command === '' ? 'shardwire' : `shardwire ${command}`;
  if (isUsageError(e)) {
    const more = command === '' ? '`shardwire --help`' : `\`shardwire ${command} --help\``;
    return { line: `${who}: ${e.message.replace(/^E_BAD_ARGUMENT: /, '')}; see ${more}`, code: 2 };
  }
  if (e instanceof ShardwireError) {
    // Messages of E_BAD_ARGUMENT name the fix; other codes add the catalogue's hint.
    return { line: `${who}: ${e.message}${e.code === 'E_BAD_ARGUMENT' ? '' : ` (${e.hint})`}`, code: 1 };
  }
  const system = describeSystemError(e);
  if (system !== undefined) return { line: `${who}: ${system}`, code: 1 };
  // Not a user error: a bug. Keep the stack, it is what a bug report needs.
  return { line: `${who}: internal error, please report it: ${(e as Error)?.stack ?? String(e)}`, code: 1 };
}

/** Runs the CLI with `argv` (without node and script) and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(await help()); // no command: a usage error
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(await help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!load) {
      const what = name.startsWith('-') ? `unknown flag ${name}` : `unknown command ${JSON.stringify(name)}`;
      throw usageError(`${what}; commands: ${Object.keys(COMMANDS).join(', ')}`);
    }
    const command = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(command.usage);
      return 0;
    }
    if (rest.includes('--version')) {
      console.log(version());
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    const { line, code } = report(load ? name : '', e);
    console.error(line);
    return code;
  }
}
