/**
 * @module controller/app-status
 * The FeatureCloud app's `GET /api/status` answer, validated: `{ available, finished, message,
 * progress, state, destination, smpc, dp, memo }` as `App.get_current_status` builds it, with the
 * `smpc` (`SMPCType`) and `dp` (`DPType`) sections of `configure_smpc` / `configure_dp`. Anything
 * else is the app breaking the protocol (E_APP), so the controller never guesses.
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';

/** `SMPCType`: how the app asked for its data to be aggregated. */
export interface AppSmpc {
  readonly operation: 'add' | 'multiply';
  readonly serialization: 'json';
  /** 0 = one shard per participant. */
  readonly shards: number;
  readonly exponent: number;
}

/** `DPType`: the noise the app asked for. */
export interface AppDp {
  readonly noisetype: 'laplace' | 'gauss';
  readonly epsilon: number;
  readonly delta: number;
  /** null: implied by clippingVal. */
  readonly sensitivity: number | null;
  /** null: no clipping (then a sensitivity is required). */
  readonly clippingVal: number | null;
}

/** One status answer. */
export interface AppStatus {
  readonly available: boolean;
  readonly finished: boolean;
  readonly message: string | null;
  readonly progress: number | null;
  /** 'running' | 'error' | 'action_required' or null. */
  readonly state: string | null;
  readonly destination: string | null;
  readonly smpc: AppSmpc | null;
  readonly dp: AppDp | null;
  readonly memo: string | null;
}

function bad(field: string, expected: string, got: unknown): never {
  throw new ShardwireError('E_APP', `/api/status field "${field}" expected ${expected}, got ${describe(got)}`, {
    field,
  });
}

function optString(o: Record<string, unknown>, k: string): string | null {
  const v = o[k] ?? null;
  if (v !== null && typeof v !== 'string') bad(k, 'a string or null', v);
  return v as string | null;
}

function num(o: Record<string, unknown>, k: string, section: string, nullable = false): number | null {
  const v = o[k] ?? null;
  if (v === null && nullable) return null;
  if (typeof v !== 'number' || !Number.isFinite(v))
    bad(`${section}.${k}`, nullable ? 'a finite number or null' : 'a finite number', v);
  return v as number;
}

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(field, 'an object', v);
  return v as Record<string, unknown>;
}

function parseSmpc(v: unknown): AppSmpc {
  const o = object(v, 'smpc');
  if (o.operation !== 'add' && o.operation !== 'multiply') bad('smpc.operation', '"add" or "multiply"', o.operation);
  if ((o.serialization ?? 'json') !== 'json') bad('smpc.serialization', '"json"', o.serialization);
  const shards = num(o, 'shards', 'smpc')!;
  const exponent = num(o, 'exponent', 'smpc')!;
  if (!Number.isSafeInteger(shards) || !Number.isSafeInteger(exponent))
    bad('smpc', 'integer shards and exponent', `${shards}, ${exponent}`);
  return { operation: o.operation as 'add' | 'multiply', serialization: 'json', shards, exponent };
}

function parseDp(v: unknown): AppDp {
  const o = object(v, 'dp');
  if (o.noisetype !== 'laplace' && o.noisetype !== 'gauss') bad('dp.noisetype', '"laplace" or "gauss"', o.noisetype);
  if ((o.serialization ?? 'json') !== 'json') bad('dp.serialization', '"json"', o.serialization);
  return {
    noisetype: o.noisetype as 'laplace' | 'gauss',
    epsilon: num(o, 'epsilon', 'dp')!,
    delta: num(o, 'delta', 'dp')!,
    sensitivity: num(o, 'sensitivity', 'dp', true),
    clippingVal: num(o, 'clippingVal', 'dp', true),
  };
}

/**
 * Validates the body of `GET /api/status`.
 * @throws {ShardwireError} E_APP when the body is not JSON or a field has the wrong type.
 * @example parseAppStatus('{"available":false,"finished":false,"message":"initial",…}')
 */
export function parseAppStatus(text: string): AppStatus {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ShardwireError(
      'E_APP',
      `/api/status answered ${JSON.stringify(text.slice(0, 80))}, which is not JSON; is this a FeatureCloud app?`,
      {},
    );
  }
  const o = object(v, '(body)');
  if (typeof o.available !== 'boolean') bad('available', 'a boolean', o.available);
  if (typeof o.finished !== 'boolean') bad('finished', 'a boolean', o.finished);
  const progress = o.progress ?? null;
  if (progress !== null && (typeof progress !== 'number' || !Number.isFinite(progress)))
    bad('progress', 'a number or null', progress);
  return {
    available: o.available,
    finished: o.finished,
    message: optString(o, 'message'),
    progress: progress as number | null,
    state: optString(o, 'state'),
    destination: optString(o, 'destination'),
    smpc: o.smpc === null || o.smpc === undefined ? null : parseSmpc(o.smpc),
    dp: o.dp === null || o.dp === undefined ? null : parseDp(o.dp),
    memo: optString(o, 'memo'),
  };
}
