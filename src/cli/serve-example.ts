/**
 * @module cli/serve-example
 * `shardwire serve-example`: serves the browser participant page (examples/browser/) at `/` and
 * the browser bundle with its kernels (dist/browser/) at `/shardwire/`, until SIGTERM/SIGINT.
 * The page joins a session on a relay given in the page (a relay runs separately: `shardwire relay`).
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { ShardwireError } from '../errors.ts';
import { intFlag, parseFlags, usageError } from './args.ts';
import { serveStatic, type Mounts } from './static-files.ts';
import { listenForStop } from './stop-signals.ts';

export const summary = 'serve the browser participant page (examples/browser) on http://127.0.0.1:8788/';

export const usage = `usage: shardwire serve-example [--host ADDR] [--port N]
  --host <addr>   interface to listen on (default 127.0.0.1)
  --port <n>      TCP port, 0 = any free port (default 8788)
Open the printed URL, load an identity file, paste the session invitation and contribute a vector.`;

/** Directories served: the page, and the browser bundle next to its kernels. */
export function exampleMounts(): Mounts {
  return [
    ['/', fileURLToPath(new URL('../../examples/browser/', import.meta.url))],
    ['/shardwire/', fileURLToPath(new URL('../../dist/browser/', import.meta.url))],
  ];
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { host: { type: 'string' }, port: { type: 'string' } });
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  if (host.trim() === '') throw usageError('--host expected an address or host name, got ""', { flag: 'host' });
  const port = intFlag(values.port, 'port', 8788, 0, 65535);
  const mounts = exampleMounts();
  for (const [, dir] of mounts) {
    if (!existsSync(dir)) {
      throw new ShardwireError('E_UNSUPPORTED', `${dir} is missing; in a checkout run \`npm run build\` first`, {
        dir,
      });
    }
  }
  const server = createServer((req, res) => void serveStatic(req, res, mounts));
  const stop = listenForStop();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (e) {
    stop.dispose();
    throw e;
  }
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  process.stderr.write(`shardwire serve-example: open http://${host.includes(':') ? `[${host}]` : host}:${bound}/\n`);
  await stop.stopped;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}
