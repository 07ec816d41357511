import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isShardwireError } from '../../../src/errors.ts';
import { decodeFrame, encodeFrame, FrameKind, isCanonicalHeader, MAX_HEADER_BYTES, type Header } from '../../../src/wire/index.ts';

const h: Header = { session: 's1', from: 'alice', to: 'coord', type: 'partial', memo: 'r1', seq: 3 };
const utf8 = new TextEncoder();

function raw(version: number, kind: number, header: string | Uint8Array, payload: Uint8Array = new Uint8Array(0), declared?: number): Uint8Array {
  const hb = typeof header === 'string' ? utf8.encode(header) : header;
  const out = new Uint8Array(6 + hb.length + payload.length);
  out[0] = version;
  out[1] = kind;
  new DataView(out.buffer).setUint32(2, declared ?? hb.length);
  out.set(hb, 6);
  out.set(payload, 6 + hb.length);
  return out;
}

function badFrame(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => decodeFrame(bytes), (e: unknown) => isShardwireError(e, 'E_BAD_FRAME') && pattern.test((e as Error).message));
}

test('encode/decode round trip keeps header, payload and canonical header bytes', () => {
  const payload = new Uint8Array([1, 2, 3, 250]);
  const f = decodeFrame(encodeFrame(FrameKind.message, h, payload));
  assert.equal(f.version, 1);
  assert.equal(f.kind, FrameKind.message);
  assert.deepEqual(f.header, h);
  assert.deepEqual([...f.payload], [...payload]);
  assert.equal(new TextDecoder().decode(f.headerBytes), '{"session":"s1","from":"alice","to":"coord","type":"partial","memo":"r1","seq":3}');
  assert.ok(isCanonicalHeader(f));
});

test('non-canonical but valid headers decode and are recognised as non-canonical', () => {
  const f = decodeFrame(raw(1, 2, '{ "seq": 1, "type": "x", "to": "b", "from": "", "session": "s" }'));
  assert.deepEqual(f.header, { session: 's', from: '', to: 'b', type: 'x', seq: 1 });
  assert.equal(isCanonicalHeader(f), false);
});

test('frame prefix errors are precise', () => {
  badFrame(new Uint8Array([1, 2, 0]), /shorter than the 6-byte prefix/);
  badFrame(raw(2, 2, '{}'), /unsupported protocol version 2/);
  badFrame(raw(1, 7, '{}'), /unknown frame kind 7/);
  badFrame(raw(1, 2, '{}', new Uint8Array(0), 100), /runs past the end/);
  badFrame(raw(1, 2, '{}', new Uint8Array(0), MAX_HEADER_BYTES + 1), /exceeds the limit/);
  badFrame(raw(1, 2, new Uint8Array([0x7b, 0xff, 0x7d])), /not valid UTF-8/);
  badFrame(raw(1, 2, '{"session":'), /not valid JSON/);
  badFrame(raw(1, 2, '[1]'), /JSON object/);
});

test('header field errors name the field', () => {
  const base = { session: 's', from: 'a', to: 'b', type: 't', seq: 0 };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...base, session: '' }, /"session"/],
    [{ ...base, session: 5 }, /"session" expected a string/],
    [{ ...base, from: 'has space' }, /"from"/],
    [{ ...base, to: '' }, /"to"/],
    [{ ...base, to: 'x'.repeat(129) }, /"to"/],
    [{ ...base, type: 'Upper' }, /"type"/],
    [{ ...base, seq: -1 }, /"seq"/],
    [{ ...base, seq: 1.5 }, /"seq"/],
    [{ ...base, seq: 2 ** 53 }, /"seq"/],
    [{ ...base, seq: '1' }, /"seq"/],
    [{ ...base, memo: '' }, /"memo"/],
    [{ ...base, extra: 1 }, /unknown field "extra"/],
  ];
  for (const [hdr, re] of cases) badFrame(raw(1, 2, JSON.stringify(hdr)), re);
  badFrame(raw(1, 2, '{"__proto__":{"x":1},"session":"s","from":"a","to":"b","type":"t","seq":0}'), /unknown field "__proto__"/);
});

test('control frames may have an empty session and "relay" as recipient; messages may not', () => {
  const c = decodeFrame(encodeFrame(FrameKind.control, { session: '', from: 'relay', to: '', type: 'challenge', seq: 0 }));
  assert.equal(c.header.session, '');
  assert.throws(() => encodeFrame(FrameKind.message, { session: '', from: 'a', to: 'b', type: 't', seq: 0 }), /"session"/);
  const m = decodeFrame(encodeFrame(FrameKind.message, { session: 's', from: '', to: '*', type: 't', seq: 0 }));
  assert.equal(m.header.to, '*');
});

test('the largest valid header fits well under MAX_HEADER_BYTES', () => {
  const big = { session: 's'.repeat(128), from: 'f'.repeat(128), to: 't'.repeat(128), type: 'y'.repeat(64), memo: 'm'.repeat(128), seq: Number.MAX_SAFE_INTEGER };
  const f = decodeFrame(encodeFrame(FrameKind.message, big));
  assert.deepEqual(f.header, big);
  assert.ok(f.headerBytes.length < MAX_HEADER_BYTES / 4);
});

test('decode works on a view with a non-zero byteOffset', () => {
  const inner = encodeFrame(FrameKind.message, h, new Uint8Array([7]));
  const outer = new Uint8Array(inner.length + 5);
  outer.set(inner, 5);
  const f = decodeFrame(outer.subarray(5));
  assert.deepEqual(f.header, h);
  assert.deepEqual([...f.payload], [7]);
});
