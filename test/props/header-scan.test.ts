// The header fast path against the general path (JSON.parse + validateHeader + canonical check,
// the readable reference): on canonical, mutated and random header texts, the scan accepts a text
// only if the reference accepts it as canonical, and then gives the same header.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalHeaderJson, ID_PATTERN, TYPE_PATTERN, validateHeader, type Header } from '../../src/wire/index.ts';
import { ID_CLASS, scanCanonicalHeader, TYPE_REST_CLASS } from '../../src/wire/header-scan.ts';

/** The reference: the canonical header of `text`, or undefined. */
function reference(text: string, control: boolean): Header | undefined {
  try {
    const h = validateHeader(JSON.parse(text), control ? 1 : 2);
    return canonicalHeaderJson(h) === text ? h : undefined;
  } catch {
    return undefined;
  }
}

function agree(text: string): void {
  for (const control of [true, false]) {
    const fast = scanCanonicalHeader(text, control);
    const ref = reference(text, control);
    assert.deepEqual(fast, ref, `control=${control} text=${JSON.stringify(text)}`);
  }
}

const idChar = fc.constantFrom(...'Aa09._:@-zZ'.split(''), ' ', '"', '\\', '/', 'é', '*');
const idLike = fc.oneof(
  fc.string({ unit: idChar, maxLength: 6 }),
  fc.constantFrom('', 'relay', '*', 'x'.repeat(128), 'x'.repeat(129), 'coord'),
);
const typeLike = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'z', '0', '.', '_', '-', 'A', ' '), minLength: 0, maxLength: 5 }),
  fc.constantFrom('t'.repeat(64), 't'.repeat(65), 'partial'),
);
const seqLike = fc.oneof(
  fc.nat(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 1e16, 1e21, -1, 0.5, -0),
);
const headerObject = fc.record({
  session: idLike,
  from: idLike,
  to: idLike,
  type: typeLike,
  memo: fc.option(idLike, { nil: undefined }),
  seq: seqLike,
});

test('canonical texts of arbitrary (valid or invalid) headers: scan agrees with the reference', () => {
  fc.assert(
    fc.property(headerObject, (h) => {
      const o: Record<string, unknown> = { session: h.session, from: h.from, to: h.to, type: h.type };
      if (h.memo !== undefined) o.memo = h.memo;
      o.seq = h.seq;
      agree(JSON.stringify(o));
    }),
    { numRuns: 5000 },
  );
});

test('mutated canonical texts (byte flips, cuts, insertions, reordering): scan agrees with the reference', () => {
  const valid = fc.record({
    session: fc.stringMatching(/^[A-Za-z0-9._:@-]{1,12}$/),
    from: fc.constantFrom('', 'alice', 'relay'),
    to: fc.constantFrom('coord', '*', 'relay', ''),
    type: fc.stringMatching(/^[a-z][a-z0-9._-]{0,8}$/),
    memo: fc.option(fc.stringMatching(/^[A-Za-z0-9._:@-]{1,6}$/), { nil: undefined }),
    seq: fc.nat(),
  });
  const text = valid.map((h) =>
    JSON.stringify(h.memo === undefined ? { session: h.session, from: h.from, to: h.to, type: h.type, seq: h.seq } : h),
  );
  fc.assert(
    fc.property(
      text,
      fc.nat(),
      fc.integer({ min: 0, max: 127 }),
      fc.constantFrom('flip', 'cut', 'insert', 'space', 'swap'),
      (t, at, ch, how) => {
        const i = at % (t.length + 1);
        const c = String.fromCharCode(ch);
        const m =
          how === 'flip'
            ? t.slice(0, i) + c + t.slice(i + 1)
            : how === 'cut'
              ? t.slice(0, i)
              : how === 'insert'
                ? t.slice(0, i) + c + t.slice(i)
                : how === 'space'
                  ? t.slice(0, i) + ' ' + t.slice(i)
                  : JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(t)).reverse()));
        agree(t);
        agree(m);
      },
    ),
    { numRuns: 20000 },
  );
});

test('random strings: scan agrees with the reference', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 120 }), (s) => agree(s)),
    { numRuns: 5000 },
  );
  for (const s of [
    '{"session":"s","from":"","to":"b","type":"t","seq":01}',
    '{"session":"s","from":"","to":"b","type":"t","seq":1e3}',
    '{"session":"s","from":"","to":"b","type":"t","seq":1}\n',
    '{"session":"s","from":"","to":"b","type":"t","memo":"","seq":1}',
    '{"session":"s","from":"","to":"**","type":"t","seq":1}',
    '{"session":"s","from":"*","to":"b","type":"t","seq":1}',
  ])
    agree(s);
});

test('the scan uses the same character classes as ID_PATTERN and TYPE_PATTERN', () => {
  assert.equal(ID_PATTERN.source, `^[${ID_CLASS}]{1,128}$`);
  assert.equal(TYPE_PATTERN.source, `^[a-z][${TYPE_REST_CLASS}]{0,63}$`);
});
