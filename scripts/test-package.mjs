#!/usr/bin/env node
// The consumer test of the published package (`npm run test:package`): `npm pack` (which runs
// `prepare`: kernel + dist build), install the tarball into a fresh project outside the repo,
// then check what a user gets:
//   - the tarball holds dist/, the release kernels, LICENSE and README, and no sources or debug build
//   - the install size of the runtime dependency tree
//   - (a) plain-JavaScript ESM on plain `node`: a 3-client secure round through a relay it starts
//   - require() either works (Node ≥ 22.12) or fails with a message that says what to do
//   - the root entry bundles for a browser (esbuild, platform browser) without Node built-ins
//   - (b) a TypeScript consumer (module NodeNext, strict) type-checks against the shipped .d.ts
//   - (c) the installed `shardwire` bin: --help, --version, demo; bench says it needs a checkout;
//     serve-example serves the participant page, the bundle and the kernel (application/wasm)
// The install works offline once `npm ci` has filled the npm cache (--prefer-offline).
import { test } from 'node:test';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'shardwire-consumer-'));
const keep = process.argv.includes('--keep');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** One step, as a node:test test (so the runner's "# pass / # fail" summary counts it); steps run in order. */
async function check(name, fn) {
  await test(name, async (t) => {
    const detail = await fn();
    if (detail) t.diagnostic(String(detail));
  });
}

function run(cmd, args, o = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000, ...o });
  if (o.allowFail) return r;
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r;
}

function du(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? du(p) : st.size;
  }
  return total;
}

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const devVersion = (name) => lock.packages[`node_modules/${name}`].version;

let tarball;
await check('npm pack (runs prepare: kernel and dist build)', () => {
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // npm prints the lifecycle scripts' output before its JSON: take the JSON array at the end
  const info = JSON.parse(out.slice(out.search(/^\[\s*\{/m)))[0];
  tarball = join(work, info.filename);
  const files = info.files.map((f) => f.path);
  for (const need of [
    'LICENSE',
    'README.md',
    'package.json',
    'bin/shardwire.mjs',
    'dist/index.js',
    'dist/index.d.ts',
    'dist/relay/index.js',
    'dist/kernel/index.js',
    'dist/testing.js',
    'dist/cjs/index.cjs',
    'dist/browser/shardwire.js',
    'dist/browser/kernel-simd.wasm',
    'build/kernel-simd.wasm',
    'build/kernel-scalar.wasm',
    'examples/browser/index.html',
  ]) {
    if (!files.includes(need)) throw new Error(`the tarball lacks ${need}`);
  }
  for (const f of files) {
    if (/^(src|assembly|test|bench)\//.test(f) || f.includes('kernel-debug') || f.endsWith('.wat'))
      throw new Error(`the tarball should not ship ${f}`);
  }
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  return `${info.filename}, ${files.length} files, ${kib(info.size)} packed, ${kib(info.unpackedSize)} unpacked`;
});

const app = join(work, 'app');
let sizes;
await check('install the tarball into a fresh project (offline-safe)', () => {
  run('mkdir', ['-p', app]);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2),
  );
  run(npm, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev'], { cwd: app });
  const nm = join(app, 'node_modules');
  const packages = readdirSync(nm).filter((n) => !n.startsWith('.'));
  sizes = Object.fromEntries(packages.map((p) => [p, du(join(nm, p))]));
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  const deps = total - sizes.shardwire;
  if (packages.includes('tsx') || packages.includes('esbuild'))
    throw new Error(`runtime install pulls dev tools: ${packages.join(', ')}`);
  const mb = (n) => (n / 1e6).toFixed(2);
  console.log(
    JSON.stringify({
      install_bytes: { total, dependencies: deps, shardwire: sizes.shardwire, per_package: sizes },
      goal_bytes: 2_500_000,
    }),
  );
  return (
    `${packages.join(', ')}: ${mb(total)} MB in all ` +
    `(dependencies ${mb(deps)} MB, shardwire itself ${mb(sizes.shardwire)} MB; goal ≤ 2.5 MB)`
  );
});

await check('(a) plain-JavaScript ESM consumer runs a 3-client secure round on plain node', () => {
  writeFileSync(
    join(app, 'consumer.mjs'),
    `
import { Client, Coordinator, Identity, Kernel, ShardwireError } from 'shardwire';
import { startRelay } from 'shardwire/relay';

const relay = await startRelay({ port: 0, logLevel: 'silent' });
const config = { smpc: { shards: 3, exponent: 3 }, minClients: 3, clip: { norm: 'linf', bound: 1 } };
const coordId = await Identity.generate();
const ids = await Promise.all([0, 1, 2].map(() => Identity.generate()));
const coordinator = await Coordinator.start({ relayUrl: relay.url, session: 'consumer', identity: coordId, config,
  roster: ids.map((i) => ({ id: i.id, publicKey: i.publicKey })) });
const clients = await Promise.all(ids.map((identity) => Client.join({
  relayUrl: relay.url, session: 'consumer', identity, config,
  coordinator: { id: coordId.id, publicKey: coordId.publicKey } })));
await coordinator.waitForParticipants(3);
const inputs = ids.map((_, c) => Float64Array.from({ length: 1000 }, (_, i) => ((i + c) % 9 - 4) / 8));
const sent = clients.map((client, c) => client.aggregate(inputs[c]));
const { aggregate } = await coordinator.runRound({ dim: 1000 });
await Promise.all(sent);
for (let i = 0; i < 1000; i++) {
  const plain = inputs[0][i] + inputs[1][i] + inputs[2][i];
  if (aggregate[i] !== plain) throw new Error('element ' + i + ': ' + aggregate[i] + ' != ' + plain);
}
const kernel = await Kernel.load();
for (const c of clients) c.close();
coordinator.close();
await relay.close();
console.log(JSON.stringify({ exact: true, kernel: kernel.flavour, errorClass: typeof ShardwireError }));
`,
  );
  const r = run(process.execPath, ['consumer.mjs'], { cwd: app, timeout: 120_000 });
  const out = JSON.parse(r.stdout.trim().split('\n').pop());
  if (out.exact !== true) throw new Error(r.stdout);
  return `exact aggregate, ${out.kernel} kernel`;
});

await check('require() works or says what to do', () => {
  const script = "const m = require('shardwire'); console.log(typeof m.Client)";
  const r = run(process.execPath, ['-e', script], { cwd: app, allowFail: true });
  const works = r.status === 0 && r.stdout.trim() === 'function';
  if (!works && !/shardwire is an ES module/.test(r.stderr)) throw new Error(`require(): ${r.status}\n${r.stderr}`);
  // where require() of ES modules is off (Node < 20.19, or turned off) the stub explains
  const off = run(process.execPath, ['--no-experimental-require-module', '-e', script], { cwd: app, allowFail: true });
  const said = /shardwire is an ES module[^\n]*import \{ \.\.\. \} from 'shardwire'[^\n]*await import\('shardwire'\)/.exec(off.stderr);
  if (off.status === 0 || said === null) throw new Error(`require() with require(esm) off: ${off.status}\n${off.stderr}`);
  return `${works ? 'require(esm) works on this Node' : 'require() refused'}; without require(esm): ${said[0]}`;
});

await check('the root entry bundles for a browser (no Node built-ins reached)', () => {
  writeFileSync(join(app, 'web.mjs'), "import { Client, Kernel } from 'shardwire';\nconsole.log(Client, Kernel);\n");
  const esbuild = join(root, 'node_modules', 'esbuild', 'bin', 'esbuild');
  const r = run(
    esbuild,
    ['web.mjs', '--bundle', '--platform=browser', '--format=esm', '--minify', '--log-level=warning', '--outfile=web.bundle.js'],
    { cwd: app },
  );
  const bundle = readFileSync(join(app, 'web.bundle.js'), 'utf8');
  // (node:crypto and node:fs/promises appear as strings for process.getBuiltinModule, never imported)
  if (/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']node:/.test(bundle))
    throw new Error('the browser bundle imports a Node built-in');
  const warning = r.stderr.trim() ? ` (${r.stderr.trim().split('\n')[0]})` : '';
  return `${(bundle.length / 1024).toFixed(0)} KiB minified${warning}`;
});

await check('(b) TypeScript consumer (NodeNext, strict) type-checks against the shipped .d.ts', () => {
  run(
    npm,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-save',
      `typescript@${devVersion('typescript')}`,
      `@types/node@${devVersion('@types/node')}`,
    ],
    { cwd: app },
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          types: ['node'],
        },
        include: ['consumer.ts'],
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(app, 'consumer.ts'),
    `
import { Client, Coordinator, Identity, Kernel, ShardwireError, validateConfig } from 'shardwire';
import type { ClientOptions, RoundReport } from 'shardwire';
import { startRelay, type Relay, type RelayOptions } from 'shardwire/relay';
import { Kernel as K2, type KernelLoadOptions } from 'shardwire/kernel';
import { backplaneConformance, MemoryBackplane } from 'shardwire/testing';

export async function main(): Promise<number> {
  const options: RelayOptions = { port: 0, logLevel: 'silent', dashboard: true };
  const relay: Relay = await startRelay(options);
  const kernel: Kernel = await Kernel.load({ flavour: 'auto' } satisfies KernelLoadOptions);
  const k2: K2 = kernel;
  const config = validateConfig({ minClients: 2, smpc: { shards: 2 }, clip: { norm: 'l2', bound: 1 } });
  const me = await Identity.generate();
  const o: Partial<ClientOptions> = { relayUrl: relay.url, identity: me, config };
  const report: RoundReport | undefined = undefined;
  const cases = backplaneConformance(() => new MemoryBackplane());
  try {
    await Coordinator.start({ relayUrl: relay.url, session: 's', identity: me, roster: [], config });
  } catch (e) {
    if (e instanceof ShardwireError) console.log(e.code, e.hint);
  }
  await relay.close();
  const used = (report === undefined ? 0 : 1) + (Client.join === undefined ? 1 : 0);
  return cases.length + used + k2.chunkElems + (o.relayUrl?.length ?? 0);
}
`,
  );
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = run(process.execPath, [tsc, '-p', '.'], { cwd: app, allowFail: true });
  if (r.status !== 0) throw new Error(`${r.stdout}${r.stderr}`);
  return '0 errors';
});

await check('(c) the installed shardwire bin: --help, --version, demo, bench', () => {
  const bin = join(app, 'node_modules', '.bin', 'shardwire');
  const help = run(bin, ['--help'], { cwd: app });
  if (!/usage: shardwire <command>/.test(help.stdout)) throw new Error(help.stdout);
  const version = run(bin, ['--version'], { cwd: app });
  const expected = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (version.stdout.trim() !== expected) throw new Error(`--version printed ${version.stdout}`);
  const demo = run(bin, ['demo', '--clients', '3', '--dim', '2000', '--json'], { cwd: app, timeout: 180_000 });
  const d = JSON.parse(demo.stdout);
  if (d.max_abs_error !== 0 || d.contributors !== 3) throw new Error(demo.stdout);
  const bench = run(bin, ['bench', 'kernel'], { cwd: app, allowFail: true });
  if (bench.status !== 1 || !/benchmarks run from a checkout/.test(bench.stderr) || /\n\s+at /.test(bench.stderr)) {
    throw new Error(`bench: ${bench.status} ${bench.stderr}`);
  }
  return `demo exact (max error 0, round ${d.round_s} s); bench: ${bench.stderr.trim()}`;
});

await check('(c) the installed serve-example serves the page, the bundle and the kernel', async () => {
  const child = spawn(join(app, 'node_modules', '.bin', 'shardwire'), ['serve-example', '--port', '0'], { cwd: app });
  try {
    const base = await new Promise((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`serve-example did not start: ${err}`)), 30_000);
      child.stderr.setEncoding('utf8').on('data', (d) => {
        err += d;
        const m = /open (http:\/\/\S+)/.exec(err);
        if (m) resolve(m[1], clearTimeout(timer));
      });
      child.once('exit', (code) => reject(new Error(`serve-example exited ${code}: ${err}`)));
    });
    const types = {};
    for (const path of ['', 'participant.js', 'shardwire/shardwire.js', 'shardwire/kernel-simd.wasm']) {
      const res = await fetch(new URL(path, base));
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      types[path || '/'] = res.headers.get('content-type');
    }
    if (types['shardwire/kernel-simd.wasm'] !== 'application/wasm') throw new Error(JSON.stringify(types));
    if ((await fetch(new URL('../package.json', base))).status !== 404) throw new Error('served a file outside its roots');
    return Object.entries(types).map(([p, t]) => `${p} ${t.split(';')[0]}`).join(', ');
  } finally {
    child.kill('SIGTERM');
  }
});

if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
