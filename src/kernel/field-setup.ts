/**
 * @module kernel/field-setup
 * Per-field and per-kernel state of the prime-field operations (field.ts): the Montgomery
 * constants of a {@link PrimeField}, computed once with BigInt and cached, written into the
 * kernel before each operation; typed views of the field buffers; and PRG_F streams read forward
 * by absolute byte position (a stream is reopened where the kernel stopped consuming it, so
 * rejection sampling never loses or repeats a byte).
 */
import { ShardwireError } from '../errors.ts';
import { describe } from '../guards.ts';
import type { Kernel } from './kernel.ts';
import { openPrg } from './keystream.ts';
import { checkStatus } from './status.ts';
import type { PrimeField } from './field.ts';

/** Limbs per field constant in the kernel (assembly/field.ts MAX_LIMBS). */
const CONST_LIMBS = 64;
/** Bytes in one ChaCha20 stream: 2^32 blocks of 64 (RFC 8439 §2.4). */
const STREAM_BYTES = 2 ** 38;

/** What the kernel needs to know about one field. */
interface FieldConstants {
  readonly limbs: number;
  readonly topBits: number;
  /** −p⁻¹ mod 2^32. */
  readonly n0: number;
  /** p, R² mod p, R mod p, p − 2 as CONST_LIMBS limbs each. */
  readonly words: Uint32Array;
}

const constants = new WeakMap<PrimeField, FieldConstants>();

function put(words: Uint32Array, slot: number, x: bigint): void {
  for (let i = 0; x > 0n; i++, x >>= 32n) words[slot * CONST_LIMBS + i] = Number(x & 0xffffffffn);
}

/**
 * The Montgomery constants of `f` (computed on first use, then cached per PrimeField object).
 * @throws {ShardwireError} E_BAD_ARGUMENT for an object that is not a field made by primeField.
 */
export function fieldConstants(f: PrimeField): FieldConstants {
  const cached = typeof f === 'object' && f !== null ? constants.get(f) : undefined;
  if (cached) return cached;
  const p = (f as { p?: unknown } | null)?.p;
  const ok = typeof p === 'bigint' && p > 1n << 32n && (p & 1n) === 1n && p < 1n << BigInt(32 * CONST_LIMBS);
  const bits = ok ? p.toString(2).length : 0;
  if (!ok || f.bits !== bits || f.limbs !== Math.ceil(bits / 32)) {
    throw new ShardwireError('E_BAD_ARGUMENT', `"field" expected a PrimeField from primeField(p), got ${describe(f)}`, { field: 'field' });
  }
  const R = 1n << BigInt(32 * f.limbs);
  // −p⁻¹ mod 2^32 by Newton's iteration (x ← x·(2 − p·x) doubles the correct low bits)
  const m = 1n << 32n;
  let inv = 1n;
  for (let i = 0; i < 5; i++) inv = (inv * (2n - p * inv)) % m;
  const words = new Uint32Array(4 * CONST_LIMBS);
  put(words, 0, p);
  put(words, 1, (R * R) % p);
  put(words, 2, R % p);
  put(words, 3, p - 2n);
  const c = { limbs: f.limbs, topBits: bits - 32 * (f.limbs - 1), n0: Number((m - ((inv + m) % m)) % m), words };
  constants.set(f, c);
  return c;
}

/** Typed views of the field buffers of one kernel. */
export interface FieldViews {
  /** IO_A and IO_B as limbs (the whole buffers: the kernel's u32A/u32B views cover half). */
  readonly a: Uint32Array;
  readonly b: Uint32Array;
  /** FIELD_C as limbs. */
  readonly c: Uint32Array;
  /** FIELD_Z as u64 words. */
  readonly z: BigUint64Array;
  /** FIELD_OUT: [0] next element index, [1] bytes consumed / zero count. */
  readonly out: BigUint64Array;
  /** Byte offsets of FIELD_C and FIELD_Z (for wiping). */
  readonly cOffset: number;
  readonly zOffset: number;
}

const views = new WeakMap<Kernel, FieldViews>();

function viewsOf(k: Kernel): FieldViews {
  let v = views.get(k);
  if (!v) {
    const buf = k.raw.memory.buffer;
    const bytes = k.chunkElems * 8;
    v = {
      a: new Uint32Array(buf, k.raw.ioAPtr(), bytes / 4),
      b: new Uint32Array(buf, k.raw.ioBPtr(), bytes / 4),
      c: new Uint32Array(buf, k.raw.fieldCPtr(), bytes / 4),
      z: new BigUint64Array(buf, k.raw.fieldZPtr(), bytes / 8),
      out: new BigUint64Array(buf, k.raw.fieldOutPtr(), 2),
      cOffset: k.raw.fieldCPtr(),
      zOffset: k.raw.fieldZPtr(),
    };
    views.set(k, v);
  }
  return v;
}

/** A field made current in a kernel: views, the chunk size in elements and the unit size. */
export interface FieldSession {
  readonly v: FieldViews;
  readonly limbs: number;
  /** Elements per kernel call. */
  readonly chunk: number;
  /** Bytes of one PRG_F unit (4·limbs). */
  readonly unit: number;
  /** Largest keystream read into IO_B. */
  readonly maxRead: number;
}

/** Writes `f`'s constants into the kernel and makes it the current field. */
export function useField(k: Kernel, f: PrimeField): FieldSession {
  const c = fieldConstants(f);
  k.views.bytes.set(new Uint8Array(c.words.buffer), k.raw.fieldConstPtr());
  checkStatus(k, k.raw.fieldSetup(c.limbs, c.topBits, c.n0), 'field setup');
  return { v: viewsOf(k), limbs: c.limbs, chunk: k.raw.fieldChunkElems(c.limbs), unit: 4 * c.limbs, maxRead: k.chunkElems * 8 };
}

/** One PRG stream read forward from an absolute byte position into IO_B. */
export class FieldStream {
  #position = 0;
  constructor(
    private readonly k: Kernel,
    private readonly key: Uint8Array,
  ) {}

  /** IO_B[0..bytes) ← the stream's bytes from the current position (the position stays). */
  fill(bytes: number): void {
    if (this.#position + bytes > STREAM_BYTES) {
      throw new ShardwireError('E_BAD_ARGUMENT', 'a field vector this long would pass the 2^38 bytes of one ChaCha20 stream', { position: this.#position });
    }
    const cursor = openPrg(this.k, this.key, this.#position, this.k.views.keyOffset);
    try {
      cursor.intoB(bytes);
    } finally {
      cursor.close();
    }
  }

  /** Moves the position past `bytes` consumed bytes. */
  consume(bytes: number): void {
    this.#position += bytes;
  }
}

/** Zeroes the arena regions a field operation used (IO_A, IO_B, FIELD_C, FIELD_Z prefixes). */
export function wipeField(k: Kernel, s: FieldSession, bytes: { a?: number; b?: number; c?: number; z?: number }): void {
  const mem = k.views.bytes;
  const at = (offset: number, n = 0) => mem.fill(0, offset, offset + n);
  at(k.raw.ioAPtr(), bytes.a);
  at(k.raw.ioBPtr(), bytes.b);
  at(s.v.cOffset, bytes.c);
  at(s.v.zOffset, bytes.z);
}
