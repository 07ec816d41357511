/**
 * @module field-budget
 * The bit budget of the secure product (docs/PROTOCOL.md §9): the product of n fixed-point
 * values of at most B = ⌈bound·10^exponent⌉ each has magnitude at most B^n (scale 10^(exponent·n)),
 * so the field must hold it centred: B^n ≤ (p − 1)/2. The field is the smallest of a fixed table
 * of primes p_L = 2^(32·L) − c_L (the largest prime below 2^(32·L), L = 2 … 64 limbs; each is
 * checked by a test), so every party derives the same p from the limb count alone. A
 * configuration no table prime holds is refused with what would fit — never wrapped.
 */
import { ShardwireError } from './errors.ts';
import { aint, describe } from './guards.ts';
import { MAX_EXPONENT } from './kernel/fixed-point.ts';
import { MAX_FIELD_LIMBS, primeField, type PrimeField } from './kernel/field.ts';
import { ceilScaled } from './scaled.ts';

/** c_L for L = 2 … 64: p_L = 2^(32·L) − c_L is the largest prime below 2^(32·L). */
const PRIME_OFFSETS = [
  59, 17, 159, 47, 237, 63, 189, 167, 197, 657, 317, 435, 203, 47, 569, 759, 789, 527, 305, 399, 245, 509, 825, 105, 143, 243, 213, 645, 167, 1779, 105,
  725, 89, 2555, 927, 107, 563, 635, 1175, 509, 1175, 929, 413, 857, 5309, 1019, 3453, 1137, 2273, 605, 1233, 1113, 1115, 2123, 963, 6723, 1767, 129, 1503,
  3479, 815, 5133, 1557,
];
/** Fewest limbs of a product field. */
export const MIN_FIELD_LIMBS = 2;

const fields = new Map<number, PrimeField>();

/**
 * The table prime with `limbs` 32-bit limbs: 2^(32·limbs) − c.
 * @throws {ShardwireError} E_BAD_ARGUMENT for a limb count outside 2 … 64.
 */
export function tableField(limbs: number): PrimeField {
  aint(limbs, 'limbs', MIN_FIELD_LIMBS, MAX_FIELD_LIMBS);
  let f = fields.get(limbs);
  if (!f) {
    f = primeField((1n << BigInt(32 * limbs)) - BigInt(PRIME_OFFSETS[limbs - MIN_FIELD_LIMBS]));
    fields.set(limbs, f);
  }
  return f;
}

/** Inputs of the product's bit budget. */
export interface FieldBudgetInput {
  /** Factors multiplied (participants of the round; maxClients for the session's check). */
  readonly clients: number;
  readonly exponent: number;
  /** Largest |x| of one element after clipping, in real units. */
  readonly elementBound: number;
}

/** The chosen field and the margins behind the choice. */
export interface FieldBudget {
  readonly field: PrimeField;
  /** B = ⌈bound·10^exponent⌉: the largest |factor| in integer units. */
  readonly factorBound: bigint;
  /** B^n: the largest |product| of one coordinate. */
  readonly worstCaseProduct: bigint;
  /** (p − 1)/2: the largest magnitude the field decodes correctly. */
  readonly capacity: bigint;
}

/** Largest magnitude a signed 64-bit encoding holds (the client encodes factors in a 64-bit ring first). */
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Picks the smallest table field whose centred range holds B^n.
 * @throws {ShardwireError} E_RING_OVERFLOW naming the largest number of clients, exponent and
 *   bound that the largest (2048-bit) field holds with the other settings unchanged;
 *   E_BAD_CONFIG for malformed inputs.
 * @example fieldBudget({ clients: 10, exponent: 4, elementBound: 1 }).field.limbs // 5
 */
export function fieldBudget(input: FieldBudgetInput): FieldBudget {
  const clients = aint(input.clients, 'clients', 1, 1_000_000, 'E_BAD_CONFIG');
  const exponent = aint(input.exponent, 'exponent', 0, MAX_EXPONENT, 'E_BAD_CONFIG');
  const bound = input.elementBound;
  if (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= 0) {
    throw new ShardwireError('E_BAD_CONFIG', `"elementBound" expected a finite number > 0, got ${describe(bound)}`, { field: 'elementBound' });
  }
  const factorBound = ceilScaled(bound, exponent);
  const worst = factorBound ** BigInt(clients);
  const largest = tableField(MAX_FIELD_LIMBS);
  const maxCapacity = (largest.p - 1n) / 2n;
  if (factorBound <= INT64_MAX && worst <= maxCapacity) {
    // bits(worst) + 1 ≤ 32·L is necessary; the first candidate almost always fits
    for (let limbs = Math.max(MIN_FIELD_LIMBS, Math.ceil((worst.toString(2).length + 1) / 32)); limbs <= MAX_FIELD_LIMBS; limbs++) {
      const field = tableField(limbs);
      const capacity = (field.p - 1n) / 2n;
      if (worst <= capacity) return { field, factorBound, worstCaseProduct: worst, capacity };
    }
  }
  const fits = (n: number, e: number, b: number) => {
    const f = ceilScaled(b, e);
    return f <= INT64_MAX && f ** BigInt(n) <= maxCapacity;
  };
  let fitClients = 0;
  while (fitClients < clients && fits(fitClients + 1, exponent, bound)) fitClients++;
  let fitExponent = -1;
  for (let e = exponent - 1; e >= 0; e--) {
    if (fits(clients, e, bound)) {
      fitExponent = e;
      break;
    }
  }
  // largest B with B^n ≤ capacity (integer n-th root), in real units
  let lo = 0n;
  let hi = 1n << BigInt(Math.ceil(maxCapacity.toString(2).length / clients) + 1);
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (mid ** BigInt(clients) <= maxCapacity) lo = mid;
    else hi = mid - 1n;
  }
  const rootB = lo > INT64_MAX ? INT64_MAX : lo;
  let fitBound = Number(rootB) / 10 ** exponent;
  for (let step = 1; fitBound > 0 && ceilScaled(fitBound, exponent) > rootB; step *= 2) fitBound = Math.max(0, (Number(rootB) - step) / 10 ** exponent);
  throw new ShardwireError(
    'E_RING_OVERFLOW',
    `the product of ${clients} factors of up to ⌈${bound}·10^${exponent}⌉ = ${factorBound} needs ${worst.toString(2).length + 1} bits, more than the largest ${largest.bits}-bit product field holds` +
      (factorBound > INT64_MAX ? ' (and one factor exceeds the signed 64-bit encoding)' : '') +
      `. What would fit: at most ${fitClients} clients, or exponent ≤ ${fitExponent < 0 ? 'none' : fitExponent}, or an element bound ≤ ${fitBound} (with the other settings unchanged)`,
    { fieldBits: largest.bits, worstCaseProductBits: worst.toString(2).length, maxClients: fitClients, maxExponent: fitExponent, maxElementBound: fitBound },
  );
}
