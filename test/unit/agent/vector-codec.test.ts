import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isShardwireError } from '../../../src/errors.ts';
import {
  envelope,
  ENVELOPE_MAGIC,
  openEnvelope,
  parseVectorHeaders,
  vectorView,
} from '../../../src/agent/vector-codec.ts';

const h = (o: Record<string, string>) => o;

test('vector headers: dtype, shape, weight, memo and timeout', () => {
  const v = parseVectorHeaders(
    h({
      'shardwire-dtype': 'float32',
      'shardwire-shape': '10, 3',
      'shardwire-weight': '12.5',
      'shardwire-memo': 'r-1',
      'shardwire-timeout-ms': '5000',
      'content-type': 'application/octet-stream',
    }),
    120,
  );
  assert.deepEqual(v, { dtype: 'float32', shape: [10, 3], elements: 30, weight: 12.5, memo: 'r-1', timeoutMs: 5000 });
  assert.deepEqual(parseVectorHeaders(h({ 'shardwire-dtype': 'float64' }), 80).shape, [10]);
  assert.deepEqual(parseVectorHeaders(h({ 'shardwire-dtype': 'float64', 'shardwire-shape': '' }), 8).shape, []);
  assert.equal(parseVectorHeaders(h({ 'shardwire-dtype': 'float64', 'shardwire-weight': '1e3' }), 8).weight, 1000);
});

test('vector headers: every wrong input gets a typed error naming the header', () => {
  const cases: [Record<string, string>, number, string][] = [
    [{}, 8, 'E_BAD_VECTOR'],
    [{ 'shardwire-dtype': 'int8' }, 8, 'E_BAD_VECTOR'],
    [{ 'shardwire-dtype': 'float64', 'shardwire-shape': '3' }, 16, 'E_BAD_VECTOR'],
    [{ 'shardwire-dtype': 'float64', 'shardwire-shape': '-1' }, 8, 'E_BAD_VECTOR'],
    [{ 'shardwire-dtype': 'float64', 'shardwire-shape': '2,x' }, 16, 'E_BAD_VECTOR'],
    [{ 'shardwire-dtype': 'float32' }, 7, 'E_BAD_VECTOR'],
    [{ 'shardwire-dtype': 'float64', 'shardwire-shape': '65536,65536' }, 8, 'E_BAD_VECTOR'],
    [{ 'shardwire-dtype': 'float64', 'shardwire-weight': '0' }, 8, 'E_BAD_ARGUMENT'],
    [{ 'shardwire-dtype': 'float64', 'shardwire-weight': '-2' }, 8, 'E_BAD_ARGUMENT'],
    [{ 'shardwire-dtype': 'float64', 'shardwire-weight': 'NaN' }, 8, 'E_BAD_ARGUMENT'],
    [{ 'shardwire-dtype': 'float64', 'shardwire-weight': '1e999' }, 8, 'E_BAD_ARGUMENT'],
    [{ 'shardwire-dtype': 'float64', 'shardwire-timeout-ms': '0' }, 8, 'E_BAD_ARGUMENT'],
    [{ 'shardwire-dtype': 'float64', 'content-type': 'application/json' }, 8, 'E_BAD_ARGUMENT'],
  ];
  for (const [headers, bytes, code] of cases) {
    assert.throws(
      () => parseVectorHeaders(headers, bytes),
      (e) => isShardwireError(e) && e.code === code,
      JSON.stringify(headers),
    );
  }
});

test('vectorView maps the body without copying', () => {
  const bytes = new Uint8Array(new Float32Array([1.5, -2]).buffer);
  const v = vectorView(bytes, 'float32');
  assert.ok(v instanceof Float32Array);
  assert.equal(v.buffer, bytes.buffer);
  assert.deepEqual([...v], [1.5, -2]);
});

test('envelope: magic, JSON length, 8-byte aligned data that reads back exactly', () => {
  for (const memoLength of [0, 1, 5, 7, 8, 13]) {
    const data = Float64Array.from({ length: 5 }, (_, i) => i / 3 - 1);
    const parts = envelope({ memo: 'm'.repeat(memoLength) }, data);
    assert.equal(parts[0].length % 8, 0);
    assert.equal(parts[1].buffer, data.buffer, 'the data is not copied');
    const all = new Uint8Array(parts[0].length + parts[1].length);
    all.set(parts[0]);
    all.set(parts[1], parts[0].length);
    assert.equal(new TextDecoder().decode(all.subarray(0, 4)), ENVELOPE_MAGIC);
    const { meta, data: back } = openEnvelope(all);
    assert.deepEqual(meta, { memo: 'm'.repeat(memoLength), dtype: 'float64', shape: [5] });
    assert.deepEqual(back, data);
  }
  assert.throws(
    () => openEnvelope(new Uint8Array(12)),
    (e) => isShardwireError(e, 'E_BAD_PAYLOAD'),
  );
});
