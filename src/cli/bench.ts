/**
 * @module cli/bench
 * `shardwire bench <name>`: runs one benchmark of bench/ (the same file as `npm run bench:<name>`)
 * in a child process under tsx. Benchmarks are TypeScript files of a checkout, not part of the
 * installed package (they need the dev dependencies and a quiet machine); from an installed
 * package the command says so and exits 1 instead of crashing.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ShardwireError } from '../errors.ts';
import { parseFlags, usageError } from './args.ts';

export const summary =
  'run a benchmark (kernel | noise | relay | aead | e2e) from a checkout and print its JSON lines and table';

const BENCHES: Record<string, string> = {
  kernel: 'PRG and encode/clip/mask pipeline vs node:crypto and plain TypeScript',
  noise: 'exact discrete Laplace / Gaussian samplers vs a (insecure) float Laplace',
  relay: 'relay throughput vs a bare ws forwarder; idle connections',
  aead: 'XChaCha20-Poly1305 (libsodium) vs AES-256-GCM (WebCrypto)',
  e2e: 'secure-aggregation rounds through the relay vs a bare ws forwarder',
};

export const usage = [
  'usage: shardwire bench <name>',
  ...Object.entries(BENCHES).map(([n, what]) => `  ${n.padEnd(7)} ${what}`),
  'Benchmarks run from a checkout of the repository (npm install, then npm run bench:<name>).',
].join('\n');

/** tsx's loader when this install has it (a checkout with dev dependencies), else undefined. */
function tsxLoader(): string | undefined {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return undefined;
  }
}

export async function run(argv: string[]): Promise<number> {
  const { positionals } = parseFlags(argv, {}, true);
  const [which, ...extra] = positionals;
  if (which === undefined) throw usageError(`name a benchmark: ${Object.keys(BENCHES).join(', ')}`);
  if (!Object.hasOwn(BENCHES, which))
    throw usageError(`unknown benchmark ${JSON.stringify(which)}; known: ${Object.keys(BENCHES).join(', ')}`);
  if (extra.length > 0) throw usageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const file = fileURLToPath(new URL(`../../bench/${which}.bench.ts`, import.meta.url));
  const tsx = tsxLoader();
  if (!existsSync(file) || tsx === undefined) {
    throw new ShardwireError(
      'E_UNSUPPORTED',
      'benchmarks run from a checkout of the repository, not from the installed package: clone it, ' +
        `run npm install, then npm run bench:${which}`,
      { bench: which },
    );
  }
  const args = ['--import', tsx, ...(which === 'relay' ? ['--expose-gc'] : []), file];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
