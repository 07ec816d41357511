/**
 * @module tensors/budget
 * The bit budget of one integer tensor (or saturation count): how many ring coordinates each of
 * its elements takes so that n clients' sums can never wrap. Every limb is certified with
 * config.ts computeBitBudget (exponent 0, the limb's largest magnitude as the element bound), the
 * same exact check the float coordinates get. A range whose n-fold sum fits the ring takes one
 * coordinate; a wider one (int64 extremes: n·2^63 fits no 64-bit ring) is split into limbs of
 * ring/2 bits: lower limbs the unsigned bits [s, s + L), the top limb the signed x >> s, so
 * x = Σ limb_j · 2^(jL) exactly and each limb's sum fits for every n ≤ MAX_CLIENTS.
 */
import { ShardwireError } from '../errors.ts';
import { computeBitBudget, type BitBudget } from '../config.ts';
import type { RingBits } from '../kernel/vectors.ts';

/** One limb: ring word = top ? x >> shift : (x >> shift) mod 2^bits. */
export interface Limb {
  readonly shift: number;
  readonly bits: number;
  readonly top: boolean;
}

/** The certified plan of one integer range. */
export interface IntegerPlan {
  readonly limbs: readonly Limb[];
  /** The budget of each limb (worst-case sum, capacity, headroom). */
  readonly budgets: readonly BitBudget[];
}

/** The smallest double ≥ m (m ≥ 0): a conservative element bound for computeBitBudget. */
export function ceilDouble(m: bigint): number {
  let d = Number(m);
  while (BigInt(d) < m) d += 2 ** Math.max(0, Math.floor(Math.log2(d)) - 52);
  return d;
}

function magnitude(lo: bigint, hi: bigint): bigint {
  const a = lo < 0n ? -lo : lo;
  const b = hi < 0n ? -hi : hi;
  return a > b ? a : b;
}

/** The budget of a limb whose values reach magnitude m, or undefined when n of them could wrap. */
function fits(clients: number, m: bigint, ring: RingBits): BitBudget | undefined {
  try {
    return computeBitBudget({ clients, exponent: 0, elementBound: ceilDouble(m), ring });
  } catch (e) {
    if (e instanceof ShardwireError && e.code === 'E_RING_OVERFLOW') return undefined;
    throw e;
  }
}

/**
 * Plans the limbs of integers in [lo, hi] summed over `clients` in a `ring`-bit ring: one limb
 * when the n-fold sum fits, else the fewest limbs of ring/2 bits that all fit.
 * @throws {ShardwireError} E_RING_OVERFLOW naming the tensor, its bound and the most clients
 *   that would fit (unreachable for clients ≤ MAX_CLIENTS, kept as the guard it is).
 */
export function planInteger(name: string, lo: bigint, hi: bigint, clients: number, ring: RingBits): IntegerPlan {
  const whole = fits(clients, magnitude(lo, hi), ring);
  if (whole) return { limbs: [{ shift: 0, bits: 64, top: true }], budgets: [whole] };
  const bits = ring / 2;
  const lower = fits(clients, (1n << BigInt(bits)) - 1n, ring);
  for (let k = 2; lower && bits * (k - 1) < 64; k++) {
    const shift = bits * (k - 1);
    const top = fits(clients, magnitude(lo >> BigInt(shift), hi >> BigInt(shift)), ring);
    if (!top) continue;
    const limbs: Limb[] = [];
    for (let j = 0; j < k - 1; j++) limbs.push({ shift: bits * j, bits, top: false });
    limbs.push({ shift, bits: 64 - shift, top: true });
    return { limbs, budgets: [...limbs.slice(1).map(() => lower), top] };
  }
  const capacity = (1n << BigInt(ring - 1)) - 1n;
  const fitClients = Number(capacity / (lower ? magnitude(lo >> BigInt(bits * 3), hi >> BigInt(bits * 3)) || 1n : (1n << BigInt(bits)) - 1n));
  throw new ShardwireError(
    'E_RING_OVERFLOW',
    `tensor "${name}": ${clients} clients' sums of integers in [${lo}, ${hi}] could wrap the ${ring}-bit ring even in ${bits}-bit limbs; ` +
      `what would fit: at most ${fitClients} clients, or a smaller bound`,
    { tensor: name, bound: String(magnitude(lo, hi)), ring, clients, maxClients: fitClients },
  );
}

/**
 * The exact sum of limb sums: Σ_j sums_j · 2^shift_j (one element; bigint, the decode's
 * recombination of a limbed tensor).
 */
export function recombine(limbs: readonly Limb[], sums: readonly bigint[]): bigint {
  let total = 0n;
  for (let j = 0; j < limbs.length; j++) total += sums[j] << BigInt(limbs[j].shift);
  return total;
}
