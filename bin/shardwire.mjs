#!/usr/bin/env node
// Entry point of the `shardwire` command: loads the TypeScript CLI through tsx so that a
// checkout runs without a compile step (`npm run cli -- <command>`).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
