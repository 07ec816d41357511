/**
 * @module testing — the `shardwire/testing` entry (re-exports only): the conformance checks
 * every relay {@link Backplane} implementation must pass, and the in-memory reference backplane.
 * Node-only (it uses node:assert).
 */
export { backplaneConformance, type ConformanceCase } from './relay/backplane-conformance.ts';
export { MemoryBackplane } from './relay/memory-backplane.ts';
export type { Backplane, BackplaneEvent, BackplaneHandler, SessionRecord, Unsubscribe } from './relay/backplane.ts';
