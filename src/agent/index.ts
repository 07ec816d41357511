/** @module agent — the local agent (Node only; re-exports only). */
export { startAgent, DEFAULT_MAX_BODY_BYTES, type Agent, type AgentOptions } from './agent-server.ts';
export { ENVELOPE_CONTENT_TYPE, ENVELOPE_MAGIC, openEnvelope, type Dtype } from './vector-codec.ts';
export { statusOf } from './http-errors.ts';
