/**
 * @module cli/bench
 * `shardwire bench <name>`: runs one benchmark of bench/ (the same file as `npm run bench:<name>`).
 */
export const summary = 'run a benchmark (kernel | noise | relay | aead | e2e) and print its JSON lines and table';

const BENCHES: Record<string, { file: string; what: string }> = {
  kernel: { file: '../../bench/kernel.bench.ts', what: 'PRG and encode/clip/mask pipeline vs node:crypto and plain TypeScript' },
  noise: { file: '../../bench/noise.bench.ts', what: 'exact discrete Laplace / Gaussian samplers vs a (insecure) float Laplace' },
  relay: { file: '../../bench/relay.bench.ts', what: 'relay throughput vs a bare ws forwarder; idle connections' },
  aead: { file: '../../bench/aead.bench.ts', what: 'XChaCha20-Poly1305 (libsodium) vs AES-256-GCM (WebCrypto)' },
  e2e: { file: '../../bench/e2e.bench.ts', what: 'secure-aggregation rounds through the relay vs a bare ws forwarder' },
};

export async function run(argv: string[]): Promise<number> {
  const which = argv[0];
  if (which === undefined || which === '--help') {
    console.log(['usage: shardwire bench <name> [flags]', ...Object.entries(BENCHES).map(([n, b]) => `  ${n.padEnd(7)} ${b.what}`)].join('\n'));
    return which === undefined ? 2 : 0;
  }
  const bench = BENCHES[which];
  if (!bench) {
    console.error(`shardwire bench: unknown benchmark ${JSON.stringify(which)} (known: ${Object.keys(BENCHES).join(', ')})`);
    return 2;
  }
  await import(bench.file);
  return 0;
}
