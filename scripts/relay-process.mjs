// Starts `shardwire relay` from the sources (tsx) as a child process on a free port of 127.0.0.1
// and resolves once its /healthz answers. Used by `npm run cluster`, bench:cluster and the Redis
// suites (which SIGKILL relays). The relay's stdout (JSON logs) is dropped, its stderr inherited.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));

/** A TCP port that was free a moment ago. */
export async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * @param {string[]} flags relay flags (not --port)
 * @param {{ port?: number, nodeArgs?: string[], timeoutMs?: number }} [o]
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, url: string, port: number }>}
 */
export async function startRelayProcess(flags, o = {}) {
  const port = o.port ?? (await freePort());
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', ENTRY, 'relay', '--port', String(port), ...flags], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((_, reject) => child.once('exit', (code, signal) => reject(new Error(`relay on port ${port} exited (${code ?? signal})`))));
  exited.catch(() => undefined);
  const end = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    const up = await Promise.race([
      fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false),
      exited,
    ]);
    if (up) break;
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`relay on port ${port} did not answer /healthz`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url: `ws://127.0.0.1:${port}/`, port };
}
