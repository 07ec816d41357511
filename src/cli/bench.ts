/**
 * @module cli/bench
 * `shardwire bench [kernel]`: runs a benchmark from bench/ in this process.
 */
export const summary = 'run a benchmark (kernel) and print its JSON line and table';

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    console.log('usage: shardwire bench [kernel]\n  kernel  PRG and encode/clip/mask pipeline vs node:crypto and plain TypeScript');
    return 0;
  }
  const which = argv[0] ?? 'kernel';
  if (which !== 'kernel') {
    console.error(`shardwire bench: unknown benchmark ${JSON.stringify(which)} (known: kernel)`);
    return 2;
  }
  await import('../../bench/kernel.bench.ts');
  return 0;
}
