// Browser benchmark (`npm run bench:browser`, needs Chromium and a built dist/):
//  1. size of the self-contained browser bundle (dist/browser/shardwire.js), gzip level 9, next to
//     baselines built in the same run: libsodium-wrappers alone, and the bundle with libsodium
//     left out (shardwire's own code); plus the kernel wasm.
//  2. client time at d = 10^5 (round.open → sealed partial sent) of the browser participant in
//     headless Chromium vs a Node participant in its own process, in the same rounds (median of
//     the rounds after the first). Every aggregate is checked exact before a time is kept.
// Prints one JSON line. Absolute figures depend on the machine's load: compare the ratios.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { runBrowserRounds } from '../test/browser/_browser-round.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const kib = (n: number) => (n / 1024).toFixed(1);
const gz = (b: Uint8Array | string) => gzipSync(b, { level: 9 }).length;

async function bundleBytes(entry: string, external: string[] = []): Promise<Uint8Array> {
  const r = await esbuild.build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    write: false,
    external,
    logLevel: 'error',
  });
  return r.outputFiles[0]!.contents;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const bundle = readFileSync(`${root}dist/browser/shardwire.js`);
const sodiumOnly = await bundleBytes("export { default } from 'libsodium-wrappers';");
const withoutSodium = await bundleBytes("export * from './src/index.ts';", ['libsodium-wrappers']);
const wasm = readFileSync(`${root}dist/browser/kernel-simd.wasm`);
const sizes = {
  bundle_bytes: bundle.length,
  bundle_gzip: gz(bundle),
  libsodium_alone_gzip: gz(sodiumOnly),
  shardwire_without_libsodium_gzip: gz(withoutSodium),
  kernel_simd_wasm_bytes: wasm.length,
  kernel_simd_wasm_gzip: gz(wasm),
  goal_bundle_gzip: 150 * 1024,
};
console.log(
  `bundle ${kib(sizes.bundle_gzip)} KiB gzip (libsodium alone ${kib(sizes.libsodium_alone_gzip)} KiB, ` +
    `shardwire without it ${kib(sizes.shardwire_without_libsodium_gzip)} KiB) + kernel ` +
    `${kib(sizes.kernel_simd_wasm_gzip)} KiB gzip`,
);

const dim = Number(process.env.BENCH_DIM ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const run = await runBrowserRounds({ dim, rounds, nodeParticipants: 2 });
if (run.maxAbsError !== 0) throw new Error(`aggregate not exact: max error ${run.maxAbsError}`);
const browser = median(run.browserMs.slice(1));
const node = median(run.nodeMs.slice(1));
console.log(
  `d = ${dim}: client time browser ${browser.toFixed(1)} ms vs Node ${node.toFixed(1)} ms ` +
    `(median of ${rounds - 1} rounds) ` +
    `= ${(browser / node).toFixed(2)}× (goal ≤ 1.5×), kernel ${run.flavour}`,
);
console.log(
  JSON.stringify({
    bench: 'browser',
    ...sizes,
    dim,
    rounds,
    kernel: run.flavour,
    browser_client_ms: run.browserMs.map((x) => +x.toFixed(2)),
    node_client_ms: run.nodeMs.map((x) => +x.toFixed(2)),
    browser_client_ms_median: +browser.toFixed(2),
    node_client_ms_median: +node.toFixed(2),
    ratio_browser_node: +(browser / node).toFixed(3),
    goal_ratio: 1.5,
  }),
);
