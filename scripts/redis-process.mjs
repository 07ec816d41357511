// Starts a private redis-server (127.0.0.1, data dir `dir`, nothing saved, pub/sub output buffers
// large enough for bench-sized bursts) and resolves once it accepts connections. Used by
// `npm run cluster`, bench:cluster and the Redis test suites. A missing redis-server is an error
// that says how to install it, never a skip.
import { spawn, spawnSync } from 'node:child_process';

/** Throws when redis-server is not installed. */
export function requireRedis() {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('redis-server is not installed: the Redis suites, bench:cluster and npm run cluster need it (Debian: apt-get install redis-server; .ci/run does this)');
  }
}

/**
 * @param {number} port
 * @param {string} dir
 * @returns {Promise<import('node:child_process').ChildProcess>}
 */
export async function startRedisServer(port, dir) {
  requireRedis();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', [...args, '--client-output-buffer-limit', 'pubsub 256mb 64mb 60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${out}`)), 10_000);
    child.stdout.on('data', (d) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(t);
        resolve(undefined);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`redis-server exited with ${code}: ${out}`));
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  return child;
}
