/**
 * @module kernel/field-abi
 * Typed interface of the prime-field exports (assembly/field-abi.ts), kept apart from abi.ts so
 * that the field arithmetic owns its part of the ABI. Driven by field.ts.
 */

/** Raw prime-field exports of the kernel. Pointers are byte offsets into `memory`. */
export interface FieldExports {
  /** p, R² mod p, R mod p, p − 2: 64 u32 limbs each, written by the host before fieldSetup. */
  fieldConstPtr(): number;
  /** The second element buffer (CHUNK_ELEMS·8 bytes). */
  fieldCPtr(): number;
  /** Zero-channel words (two u64 per element). */
  fieldZPtr(): number;
  /** [0] next element index (in and out), [1] keystream bytes consumed / zero count (u64). */
  fieldOutPtr(): number;
  /** Elements per chunk for `limbs` limbs (0 outside 2..64). */
  fieldChunkElems(limbs: number): number;
  /** Makes the field in the constants current (top limb of `topBits` bits, n0 = −p⁻¹ mod 2^32). */
  fieldSetup(limbs: number, topBits: number, n0: number): number;
  /** IO_A (i64) → FIELD_C elements; zeros counted in out[1]; STATUS_OUT_OF_RANGE for |x| > (p−1)/2. */
  fieldFromI64(len: number): number;
  /** Stand-ins and zero-channel words of the zero inputs from IO_B's private stream. */
  fieldZeros(len: number, avail: number): number;
  /** PRG_F units of IO_B into IO_A (target 0) or FIELD_C (1): copy (mode 0) or multiply (1). */
  fieldSample(len: number, avail: number, target: number, mode: number): number;
  /** Elements of IO_A (0) or FIELD_C (1) ← 1. */
  fieldFillOne(len: number, target: number): number;
  /** IO_A ← IO_A / FIELD_C with one inversion. */
  fieldDivide(len: number): number;
  /** STATUS_OUT_OF_RANGE when an element of IO_A is ≥ p. */
  fieldCheck(len: number): number;
  /** IO_A ← IO_A · IO_B; STATUS_OUT_OF_RANGE for an element ≥ p. */
  fieldMulAB(len: number): number;
  /** IO_A → centred values as two's complement limbs; STATUS_OUT_OF_RANGE for an element ≥ p. */
  fieldCentre(len: number): number;
}

/** Names of the field function exports, checked by the loader and the ABI test. */
export const FIELD_FUNCTIONS = [
  'fieldConstPtr', 'fieldCPtr', 'fieldZPtr', 'fieldOutPtr', 'fieldChunkElems', 'fieldSetup', 'fieldFromI64',
  'fieldZeros', 'fieldSample', 'fieldFillOne', 'fieldDivide', 'fieldCheck', 'fieldMulAB', 'fieldCentre',
] as const;
