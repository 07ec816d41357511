/**
 * Status codes returned by every kernel export (mirrored in src/kernel/status.ts; a test checks
 * that both lists agree). The kernel never traps on data: it returns one of these instead.
 */
export const STATUS_OK: u32 = 0;
/** A length/count argument exceeds the arena (CHUNK_ELEMS, MAX_SEEDS) or a stream would pass 2^32 blocks. */
export const STATUS_BAD_LENGTH: u32 = 1;
/** An input value was NaN or ±Infinity; its index is in the OUT_INDEX slot. */
export const STATUS_NOT_FINITE: u32 = 2;
/** An input value was out of range (|x·S| ≥ 2^53, or outside the 32-bit ring); index in OUT_INDEX. */
export const STATUS_OUT_OF_RANGE: u32 = 3;
/** An enum-like argument (rounding mode, norm kind, exponent) was invalid. */
export const STATUS_BAD_ARGUMENT: u32 = 4;
/** A value left the 32-bit ring's signed range [−2^31, 2^31) when narrowing; index in OUT_INDEX. */
export const STATUS_RING_RANGE: u32 = 5;
