/**
 * @module cli/args
 * Flag parsing shared by every command, so that they all fail alike: a wrong flag, a missing or
 * malformed value is a usage error (E_BAD_ARGUMENT marked `usage`, exit code 2, one line that
 * names the flag and what it expects). Values that start with a dash are taken as values when
 * they look like numbers (`--epsilon -1` reaches the range check instead of being read as a flag).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ShardwireError } from '../errors.ts';

/** A mistake in how a command was called (exit code 2). */
export function usageError(message: string, details: Record<string, unknown> = {}): ShardwireError {
  return new ShardwireError('E_BAD_ARGUMENT', message, { ...details, usage: true });
}

/** True for errors {@link usageError} made. */
export function isUsageError(e: unknown): e is ShardwireError {
  return e instanceof ShardwireError && e.details.usage === true;
}

type Options = NonNullable<ParseArgsConfig['options']>;

const NUMBER_LIKE = /^-(\d|\.\d|Infinity$)/;

/** `--flag -3` → `--flag=-3` for string flags, so parseArgs does not call the value ambiguous. */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NUMBER_LIKE.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Turns node:util parseArgs messages into one line that names the flag. */
function explain(e: unknown, options: Options): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag ?? msg}; known flags: ${Object.keys(options)
        .map((k) => `--${k}`)
        .join(', ')}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(msg) || /ambiguous/.test(msg)) return `${flag ?? 'a flag'} needs a value`;
      return `${flag ?? 'a flag'} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(msg)?.[1] ?? msg}; every value belongs to a flag`;
    default:
      return msg;
  }
}

/**
 * Parses `argv` against `options` (strict).
 * @throws {ShardwireError} E_BAD_ARGUMENT (usage) for an unknown flag, a missing value, a value
 *   given to a boolean flag, or a stray argument.
 * @example const { values } = parseFlags(['--port', '0'], { port: { type: 'string' } })
 */
export function parseFlags<O extends Options>(
  argv: readonly string[],
  options: O,
  allowPositionals = false,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    throw usageError(explain(e, options));
  }
}

/** An integer flag in [min, max], or `fallback` when absent. */
export function intFlag(v: unknown, flag: string, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(`--${flag} expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`, { flag });
  }
  return n;
}

/** A finite decimal number flag, or `fallback` when absent. */
export function numberFlag(v: unknown, flag: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw usageError(`--${flag} expected a number, got ${JSON.stringify(v)}`, { flag });
  return n;
}

/** One of `allowed`, or `fallback` when absent. */
export function choiceFlag<T extends string>(v: unknown, flag: string, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!allowed.includes(v as T))
    throw usageError(`--${flag} expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`, { flag });
  return v as T;
}

/** A size like `65536`, `64KiB` or `16MiB`. */
export function sizeFlag(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const m = typeof v === 'string' ? /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(v) : null;
  if (!m) throw usageError(`--${flag} expected a size like 65536, 64KiB or 16MiB, got ${JSON.stringify(v)}`, { flag });
  const unit = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[(m[2] ?? 'B').toLowerCase() as 'b'];
  return Number(m[1]) * unit;
}
