// The static file handler of `shardwire serve-example`: files under its roots only, GET/HEAD
// only, application/wasm for the kernel, index.html for directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStatic } from '../../../src/cli/static-files.ts';

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves files under its roots only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sw-static-'));
  const site = join(dir, 'site');
  const lib = join(dir, 'lib');
  await mkdir(site);
  await mkdir(lib);
  await writeFile(join(site, 'index.html'), '<h1>page</h1>');
  await writeFile(join(lib, 'kernel-simd.wasm'), new Uint8Array([0, 97, 115, 109]));
  await writeFile(join(dir, 'secret.txt'), 'secret');
  await symlink(join(dir, 'secret.txt'), join(site, 'escape.txt'));
  const server = createServer((req, res) => void serveStatic(req, res, [['/', site], ['/lib/', lib]]));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const index = await get(port, '/');
    assert.equal(index.status, 200);
    assert.equal(index.body, '<h1>page</h1>');
    assert.match(index.type!, /^text\/html/);
    assert.equal((await get(port, '/lib/kernel-simd.wasm')).type, 'application/wasm');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/lib/..%2f..%2fsecret.txt', '/escape.txt', '/nope.html', '/lib/']) {
      const r = await get(port, path);
      assert.ok(r.status === 400 || r.status === 404, `${path} → ${r.status}`);
      assert.ok(!r.body.includes('secret'), path);
    }
    assert.equal((await get(port, '/', 'POST')).status, 405);
    assert.equal((await get(port, '/', 'HEAD')).status, 200);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
