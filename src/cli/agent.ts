/**
 * @module cli/agent
 * `shardwire agent`: runs the local agent (src/agent/, docs/AGENT.md) until SIGTERM/SIGINT,
 * `POST /v1/shutdown`, or — with --exit-on-stdin-eof — until the process that started it goes
 * away (its end of our stdin closes). Prints one JSON line on stdout when ready.
 */
import { parseArgs } from 'node:util';
import { ShardwireError } from '../errors.ts';
import { LOG_LEVELS, type LogLevel } from '../relay/logger.ts';
import { startAgent } from '../agent/index.ts';

export const summary = 'run the local agent: an HTTP API (loopback or Unix socket) for apps in other languages';

const USAGE = `usage: shardwire agent [flags]
  --host <addr>          loopback address to listen on (default 127.0.0.1)
  --port <n>             TCP port, 0 = any free port (default 0)
  --socket <path>        listen on a Unix socket instead (created with mode 0600)
  --token-file <path>    where to write the bearer token (mode 0600; default: a private temp dir)
  --max-body <size>      largest request body, e.g. 128MiB (default 128MiB)
  --exit-on-stdin-eof    stop when stdin closes (the parent process exited)
  --log-level <level>    ${LOG_LEVELS.join(' | ')} (default info); JSON lines on stderr
When ready it prints {"event":"ready","api":"v1","url",...,"tokenFile",...,"pid"} on stdout.`;

function size(text: string): number {
  const m = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(text);
  if (!m)
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `--max-body expected a size like 65536, 64KiB or 128MiB, got ${JSON.stringify(text)}`,
      { flag: 'max-body' },
    );
  return (
    Number(m[1]) *
    ({ b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 } as Record<string, number>)[(m[2] ?? 'B').toLowerCase()]!
  );
}

/** Runs the agent; resolves with the exit code once it has stopped. */
export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        socket: { type: 'string' },
        'token-file': { type: 'string' },
        'max-body': { type: 'string' },
        'exit-on-stdin-eof': { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`shardwire agent: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  if (values.port !== undefined && !/^\d{1,5}$/.test(values.port))
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `--port expected an integer in [0, 65535], got ${JSON.stringify(values.port)}`,
      { flag: 'port' },
    );
  const level = values['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level))
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `--log-level expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`,
      { flag: 'log-level' },
    );
  const agent = await startAgent({
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.port === undefined ? {} : { port: Number(values.port) }),
    ...(values.socket === undefined ? {} : { socketPath: values.socket }),
    ...(values['token-file'] === undefined ? {} : { tokenFile: values['token-file'] }),
    ...(values['max-body'] === undefined ? {} : { maxBodyBytes: size(values['max-body']) }),
    ...(level === undefined ? {} : { logLevel: level as LogLevel }),
  });
  const stop = () => void agent.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  if (values['exit-on-stdin-eof'] === true) {
    process.stdin.on('end', stop).on('error', stop).resume();
  }
  process.stdout.write(
    `${JSON.stringify({
      event: 'ready',
      api: 'v1',
      url: agent.url,
      socket: agent.socketPath ?? null,
      tokenFile: agent.tokenFile,
      pid: process.pid,
    })}\n`,
  );
  await agent.closed;
  process.off('SIGTERM', stop);
  process.off('SIGINT', stop);
  process.stdin.pause();
  return 0;
}
