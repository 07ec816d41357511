// Kernel.load sources: the default build next to the module, bytes, a compiled module, a file:
// URL, an http URL (streamed with application/wasm, buffered otherwise); a build that cannot be
// loaded fails with E_KERNEL naming its URL; bad options are E_BAD_ARGUMENT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { Kernel } from '../../../src/kernel/kernel.ts';
import { isShardwireError } from '../../../src/errors.ts';

const SIMD = new URL('../../../build/kernel-simd.wasm', import.meta.url);
const SCALAR = new URL('../../../build/kernel-scalar.wasm', import.meta.url);

async function works(k: Kernel, flavour: string): Promise<void> {
  assert.equal(k.flavour, flavour);
  const v = k.encode(new Float64Array([0.5, -0.25]), { exponent: 2, ring: 32, rounding: 'half-even' });
  assert.deepEqual(Array.from(k.decode(v, { exponent: 2 })), [0.5, -0.25]);
}

async function rejectsWith(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isShardwireError(e), String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

test('default location, bytes, compiled module and file: URL', async () => {
  await works(await Kernel.load(), 'simd');
  await works(await Kernel.load('scalar'), 'scalar');
  const bytes = new Uint8Array(await readFile(SIMD));
  await works(await Kernel.load({ flavour: 'simd', source: bytes }), 'simd');
  await works(await Kernel.load({ flavour: 'scalar', source: await WebAssembly.compile(await readFile(SCALAR)) }), 'scalar');
  await works(await Kernel.load({ source: { simd: SIMD, scalar: SCALAR } }), 'simd');
  await works(await Kernel.load({ source: { scalar: SCALAR.href } }), 'scalar');
});

test('a missing or broken build is E_KERNEL naming where it was looked for', async () => {
  const missing = new URL('./no-such-kernel.wasm', SIMD);
  await rejectsWith(Kernel.load({ flavour: 'simd', source: missing }), 'E_KERNEL', /no-such-kernel\.wasm \(ENOENT\).*npm run asbuild/);
  await rejectsWith(Kernel.load({ flavour: 'simd', source: new Uint8Array([0, 97, 115, 109, 9]) }), 'E_KERNEL', /cannot run/);
});

test('bad options are E_BAD_ARGUMENT that say what to pass', async () => {
  const bytes = new Uint8Array(await readFile(SIMD));
  await rejectsWith(Kernel.load({ source: bytes }), 'E_BAD_ARGUMENT', /flavour 'simd' or 'scalar'/);
  await rejectsWith(Kernel.load({ flavour: 'debug', source: { simd: bytes } }), 'E_BAD_ARGUMENT', /source\.debug/);
  await rejectsWith(Kernel.load({ source: { fast: bytes } as never }), 'E_BAD_ARGUMENT', /source\.fast/);
  await rejectsWith(Kernel.load({ flavour: 'turbo' as never }), 'E_BAD_ARGUMENT', /"flavour" expected auto, simd, scalar or debug/);
  await rejectsWith(Kernel.load({ flavour: 'simd', source: 'not a url' }), 'E_BAD_ARGUMENT', /absolute URL/);
});

test('http: streamed with application/wasm, buffered with another type; a 404 names the URL', async () => {
  const wasm = await readFile(SIMD);
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.url!);
    if (req.url === '/typed.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(wasm);
    else if (req.url === '/untyped.wasm') res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(wasm);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    await works(await Kernel.load({ flavour: 'simd', source: `${base}/typed.wasm` }), 'simd');
    await works(await Kernel.load({ flavour: 'simd', source: new URL(`${base}/untyped.wasm`) }), 'simd');
    await rejectsWith(Kernel.load({ flavour: 'simd', source: `${base}/gone.wasm` }), 'E_KERNEL', new RegExp(`${base}/gone\\.wasm \\(HTTP 404\\)`));
    assert.deepEqual(seen, ['/typed.wasm', '/untyped.wasm', '/gone.wasm']);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
