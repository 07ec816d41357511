/**
 * @module cli/run
 * Process entry of the `shardwire` command: runs {@link main} with the process arguments and
 * sets the exit code. bin/shardwire.mjs loads the compiled copy (dist/cli/run.js); a checkout
 * runs this file under tsx (`npm run cli`, `npm start`).
 */
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
