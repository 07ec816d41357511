/**
 * @module relay/browser
 * What `shardwire/relay` and `shardwire/testing` resolve to in a browser build (the `browser`
 * export condition): they need node:http and node:assert, so importing them there fails at once
 * with a message that says where the browser-safe API is.
 */
import { ShardwireError } from '../errors.ts';

throw new ShardwireError(
  'E_UNSUPPORTED',
  'shardwire/relay and shardwire/testing run on Node only; ' +
    'in a browser import Client, Coordinator and Kernel from "shardwire"',
);
