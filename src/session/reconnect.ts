/**
 * @module session/reconnect
 * How the client and coordinator SDKs reach their relay: one URL or a list, and the reconnection
 * settings of their link (session/relay-link.ts). With reconnection the SDK also sends again what
 * it wrote shortly before a drop (its sealed channel refuses duplicates by sequence number), so a
 * round in flight completes exactly when the outage fits the relay's inbox window.
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import type { ReconnectOptions } from './relay-link.ts';

/** Where the SDK connects and whether it reconnects. */
export interface RelayTarget {
  /** ws:// or wss:// URL of the relay (or give `relayUrls`). */
  readonly relayUrl?: string;
  /** Relay URLs in order of preference (relays sharing one backplane); reconnection moves along the list. */
  readonly relayUrls?: readonly string[];
  /**
   * Reconnect after drops, re-authenticate and resume the session and the round in flight
   * (default off; `true` for the defaults: window 30 s, backoff 100 ms doubling to 2 s with jitter,
   * frames of the last 2 s sent again). When the link cannot come back, pending calls reject with
   * E_LINK_LOST at once.
   */
  readonly reconnect?: ReconnectOptions | boolean;
}

/** Frames the SDK writes again after a resume: those of the last this many ms before the drop. */
export const SDK_RESEND_MS = 2000;

/** The link settings of a {@link RelayTarget}; E_BAD_ARGUMENT for a bad one. */
export function linkTarget(o: RelayTarget): { urls: string[]; reconnect?: ReconnectOptions } {
  if (o.relayUrls !== undefined && !Array.isArray(o.relayUrls)) throw new ShardwireError('E_BAD_ARGUMENT', `"relayUrls" expected an array of ws:// or wss:// URLs, got ${describe(o.relayUrls)}`, { field: 'relayUrls' });
  const urls = o.relayUrls === undefined ? [o.relayUrl] : [...o.relayUrls];
  if (o.relayUrls !== undefined && o.relayUrl !== undefined) throw new ShardwireError('E_BAD_ARGUMENT', 'give "relayUrl" or "relayUrls", not both', { field: 'relayUrls' });
  if (urls.length === 0) throw new ShardwireError('E_BAD_ARGUMENT', '"relayUrls" expected at least one URL', { field: 'relayUrls' });
  for (const u of urls) {
    if (typeof u !== 'string' || !/^wss?:\/\/\S+$/.test(u)) throw new ShardwireError('E_BAD_ARGUMENT', `"relayUrl" expected a ws:// or wss:// URL, got ${describe(u)}`, { field: 'relayUrl' });
  }
  const r = o.reconnect;
  if (r === undefined || r === false) return { urls: urls as string[] };
  if (r !== true && (typeof r !== 'object' || r === null)) throw new ShardwireError('E_BAD_ARGUMENT', `"reconnect" expected a boolean or an object, got ${describe(r)}`, { field: 'reconnect' });
  const given = r === true ? {} : r;
  for (const [k, v] of Object.entries(given)) {
    if (!['windowMs', 'initialDelayMs', 'maxDelayMs', 'maxQueuedBytes', 'resendMs'].includes(k)) throw new ShardwireError('E_BAD_ARGUMENT', `"reconnect.${k}" is not a reconnection setting`, { field: `reconnect.${k}` });
    const min = k === 'initialDelayMs' || k === 'maxDelayMs' ? 1 : 0; // a zero delay would retry without backoff
    const max = k === 'maxQueuedBytes' ? Number.MAX_SAFE_INTEGER : 2 ** 31 - 1; // timers overflow above 2^31 - 1 ms
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new ShardwireError('E_BAD_ARGUMENT', `"reconnect.${k}" expected an integer in [${min}, ${max}], got ${describe(v)}`, { field: `reconnect.${k}` });
  }
  const { initialDelayMs, maxDelayMs } = given as { initialDelayMs?: number; maxDelayMs?: number };
  if (initialDelayMs !== undefined && maxDelayMs !== undefined && initialDelayMs > maxDelayMs) throw new ShardwireError('E_BAD_ARGUMENT', `"reconnect.initialDelayMs" (${initialDelayMs}) must not exceed "reconnect.maxDelayMs" (${maxDelayMs})`, { field: 'reconnect.initialDelayMs' });
  return { urls: urls as string[], reconnect: { resendMs: SDK_RESEND_MS, ...given } };
}

/** The error pending calls reject with when the link is gone for good. */
export function linkLost(e: ShardwireError | undefined, what: string): ShardwireError {
  if (e?.code === 'E_LINK_LOST') return e;
  return new ShardwireError('E_LINK_LOST', `${what}: the relay link is gone${e ? ` (${e.code}: ${e.message})` : ''}`, e ? { cause: e.code } : {});
}
