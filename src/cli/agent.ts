/**
 * @module cli/agent
 * `shardwire agent`: runs the local agent (src/agent/, docs/AGENT.md) until SIGTERM/SIGINT,
 * `POST /v1/shutdown`, or — with --exit-on-stdin-eof — until the process that started it goes
 * away (its end of our stdin closes). Prints one JSON line on stdout when ready; logs are JSON
 * lines on stderr.
 */
import { LOG_LEVELS } from '../relay/logger.ts';
import { startAgent } from '../agent/index.ts';
import { choiceFlag, intFlag, parseFlags, sizeFlag, usageError } from './args.ts';
import { listenForStop } from './stop-signals.ts';

export const summary = 'run the local agent: an HTTP API (loopback or Unix socket) for apps in other languages';

export const usage = `usage: shardwire agent [flags]
  --host <addr>          loopback address to listen on (default 127.0.0.1)
  --port <n>             TCP port, 0 = any free port (default 0)
  --socket <path>        listen on a Unix socket instead (created with mode 0600)
  --token-file <path>    where to write the bearer token (mode 0600; default: a private temp dir)
  --max-body <size>      largest request body, e.g. 128MiB (default 128MiB)
  --exit-on-stdin-eof    stop when stdin closes (the parent process exited)
  --log-level <level>    ${LOG_LEVELS.join(' | ')} (default info); JSON lines on stderr
When ready it prints {"event":"ready","api":"v1","url",...,"tokenFile",...,"pid"} on stdout.`;

/** Runs the agent; resolves with the exit code once it has stopped. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    socket: { type: 'string' },
    'token-file': { type: 'string' },
    'max-body': { type: 'string' },
    'exit-on-stdin-eof': { type: 'boolean' },
    'log-level': { type: 'string' },
  });
  const maxBodyBytes = sizeFlag(values['max-body'], 'max-body');
  if (maxBodyBytes !== undefined && (maxBodyBytes < 1024 || maxBodyBytes > 2 ** 33)) {
    throw usageError(`--max-body expected a size from 1KiB to 8GiB, got ${JSON.stringify(values['max-body'])}`, {
      flag: 'max-body',
    });
  }
  const stop = listenForStop();
  let agent;
  try {
    agent = await startAgent({
      ...(values.host === undefined ? {} : { host: values.host as string }),
      port: intFlag(values.port, 'port', 0, 0, 65535),
      ...(values.socket === undefined ? {} : { socketPath: values.socket as string }),
      ...(values['token-file'] === undefined ? {} : { tokenFile: values['token-file'] as string }),
      ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
      logLevel: choiceFlag(values['log-level'], 'log-level', LOG_LEVELS, 'info'),
    });
  } catch (e) {
    stop.dispose();
    throw e;
  }
  const onStdinEnd = () => void agent.close();
  if (values['exit-on-stdin-eof'] === true) process.stdin.on('end', onStdinEnd).on('error', onStdinEnd).resume();
  void stop.stopped.then(() => agent.close());
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
  stop.dispose();
  process.stdin.off('end', onStdinEnd).off('error', onStdinEnd).pause();
  return 0;
}
