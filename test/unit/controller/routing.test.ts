import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataQuery, pythonQuote, routeOf } from '../../../src/controller/routing.ts';
import { parseAppStatus, type AppStatus } from '../../../src/controller/app-status.ts';
import { ShardwireError } from '../../../src/errors.ts';

const SMPC = { operation: 'add', serialization: 'json', shards: 0, exponent: 8 } as const;
const DP = { noisetype: 'laplace', epsilon: 1, delta: 0, sensitivity: null, clippingVal: 10 } as const;
const clients = ['c', 'p1', 'p2'];
const coordinator = { id: 'c', coordinatorId: 'c', clients };
const participant = { id: 'p1', coordinatorId: 'c', clients };

function status(over: Partial<AppStatus>): AppStatus {
  return {
    available: true,
    finished: false,
    message: 'm',
    progress: null,
    state: 'running',
    destination: null,
    smpc: null,
    dp: null,
    memo: 'GATHERROUND1',
    ...over,
  };
}

test('routes like the engine encodes its send functions', () => {
  // send_data_to_coordinator(use_smpc=True), from anyone
  assert.deepEqual(routeOf(status({ smpc: SMPC }), participant), {
    kind: 'smpc',
    memo: 'GATHERROUND1',
    smpc: SMPC,
    dp: null,
  });
  assert.equal(routeOf(status({ smpc: SMPC, dp: DP }), coordinator).kind, 'smpc');
  // a participant's plain send_data_to_coordinator: no destination → the coordinator
  assert.deepEqual(routeOf(status({}), participant), { kind: 'direct', memo: 'GATHERROUND1', to: ['c'], dp: null });
  // broadcast_data from the coordinator: no destination → everyone else (it kept its own copy)
  assert.deepEqual(routeOf(status({ memo: 'None' }), coordinator), {
    kind: 'direct',
    memo: 'None',
    to: ['p1', 'p2'],
    dp: null,
  });
  // send_data_to_coordinator(use_dp=True) at the coordinator names itself
  assert.deepEqual(routeOf(status({ destination: 'c', dp: DP }), coordinator), {
    kind: 'direct',
    memo: 'GATHERROUND1',
    to: ['c'],
    dp: DP,
  });
  // send_data_to_participant
  assert.deepEqual(routeOf(status({ destination: 'p2' }), participant), {
    kind: 'direct',
    memo: 'GATHERROUND1',
    to: ['p2'],
    dp: null,
  });
});

test('an unknown destination, or SMPC towards a participant, is the app breaking the protocol', () => {
  assert.throws(
    () => routeOf(status({ destination: 'nobody' }), participant),
    (e: unknown) => e instanceof ShardwireError && e.code === 'E_APP' && /nobody/.test(e.message),
  );
  assert.throws(
    () => routeOf(status({ destination: 'p2', smpc: SMPC }), participant),
    (e: unknown) => e instanceof ShardwireError && e.code === 'E_APP',
  );
});

test('memos are quoted as urllib.parse.quote, then URL-encoded for bottle', () => {
  // expected values from Python 3: urllib.parse.quote(s)
  assert.equal(pythonQuote('GATHERROUND1'), 'GATHERROUND1');
  assert.equal(pythonQuote('round 1/a~b_c.d-e'), 'round%201/a~b_c.d-e');
  assert.equal(pythonQuote('ü&=?#%'), '%C3%BC%26%3D%3F%23%25');
  assert.equal(dataQuery('p1', 'round 1'), 'client=p1&memo=round%25201');
  assert.equal(dataQuery('p1', 'GATHERROUND2'), 'client=p1&memo=GATHERROUND2');
  assert.equal(dataQuery('p1', null), 'client=p1');
  // what bottle decodes once must equal the key the engine awaits: quote(memo)
  for (const memo of ['a b', 'ü', '50%', 'x&y=z'])
    assert.equal(decodeURIComponent(dataQuery('p', memo).split('memo=')[1]!), pythonQuote(memo));
});

test('parses the status the engine serves, both as dict and as json.dumps(sort_keys=True)', () => {
  const idle = parseAppStatus(
    '{"available": false, "finished": false, "message": null, "progress": null, "state": null, "destination": ' +
      'null, "smpc": null, "dp": null, "memo": null}',
  );
  assert.equal(idle.available, false);
  const busy = parseAppStatus(
    JSON.stringify({
      available: true,
      destination: null,
      dp: {
        clippingVal: 10.0,
        delta: 0.0,
        epsilon: 1.0,
        noisetype: 'laplace',
        sensitivity: null,
        serialization: 'json',
      },
      finished: false,
      memo: 'm',
      message: 'initial',
      progress: 0.5,
      smpc: { exponent: 8, operation: 'add', serialization: 'json', shards: 0 },
      state: 'running',
    }),
  );
  assert.deepEqual(busy.smpc, SMPC);
  assert.deepEqual(busy.dp, DP);
  for (const bad of [
    '<html>',
    '[]',
    '{"available": "yes", "finished": false}',
    '{"available": true, "finished": false, "smpc": {"operation": "xor"}}',
    '{"available": true, "finished": false, "dp": {"noisetype": "gauss", "epsilon": "1"}}',
  ]) {
    assert.throws(
      () => parseAppStatus(bad),
      (e: unknown) => e instanceof ShardwireError && e.code === 'E_APP',
      bad,
    );
  }
});
