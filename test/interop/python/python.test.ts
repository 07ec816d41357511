/**
 * The Python package against the real agent and relay, and Flower 1.7 on shardwire: runs each
 * Python unittest module of python/tests with Debian's python3 ($SHARDWIRE_PYTHON, default
 * /usr/bin/python3) and the vendored Flower ($SHARDWIRE_FLOWER_DIR, default ../shared/vendor/flower
 * from the repository root). A missing python3 or Flower fails the suite with a message saying
 * so; nothing is skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const python = process.env.SHARDWIRE_PYTHON ?? '/usr/bin/python3';
const flower = resolve(process.env.SHARDWIRE_FLOWER_DIR ?? join(repo, '..', 'shared', 'vendor', 'flower'));

function runModule(module: string, needsFlower: boolean): void {
  assert.ok(
    existsSync(python),
    `python3 not found at ${python}: install Debian's python3 (apt-get install python3 python3-numpy) or set ` +
      `SHARDWIRE_PYTHON`,
  );
  if (needsFlower) {
    assert.ok(
      existsSync(join(flower, 'flwr', '__init__.py')),
      `the vendored Flower 1.7 is missing at ${flower}; set SHARDWIRE_FLOWER_DIR to the directory holding flwr/ ` +
        `and shims/`,
    );
  }
  const modules = needsFlower ? ['numpy', 'grpc', 'google.protobuf', 'cryptography', 'Cryptodome'] : ['numpy'];
  const probe = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(
    probe.status,
    0,
    `${python} cannot import ${modules.join(', ')}: install Debian's python3-numpy` +
      `${needsFlower ? ' python3-grpcio python3-protobuf python3-cryptography python3-pycryptodome' : ''} ` +
      `(.ci/run does)\n${(probe.stderr ?? '').slice(-500)}`,
  );
  const paths = [join(repo, 'python'), ...(needsFlower ? [join(flower, 'shims'), flower] : [])];
  const r = spawnSync(python, ['-m', 'unittest', '-v', module], {
    cwd: join(repo, 'python'),
    env: {
      ...process.env,
      PYTHONPATH: paths.join(delimiter),
      FLWR_TELEMETRY_ENABLED: '0',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const tail = output.split('\n').slice(-80).join('\n');
  assert.equal(r.error, undefined, `could not run ${python}: ${r.error?.message}`);
  assert.equal(r.status, 0, `${module} failed (exit ${r.status}):\n${tail}`);
  const ran = /Ran (\d+) tests? in/.exec(output);
  assert.ok(ran && Number(ran[1]) > 0, `${module} ran no tests:\n${tail}`);
  assert.doesNotMatch(output, /skipped=|expected failures=/, `${module} skipped tests:\n${tail}`);
}

test('python: vectors and envelopes (numpy and standard library)', () => runModule('tests.test_vectors', false));
test('python: error codes as exception classes', () => runModule('tests.test_errors', false));
test('python: roster_hash equals the SDK\'s rosterHash', () => runModule('tests.test_identity', false));
test('python: the package against a real agent and relay (rounds, dropouts, errors, bad token)', () =>
  runModule('tests.test_agent', false));
test(
  'python: Flower 1.7 server and three clients on SecureFedAvg (exact FedAvg, server sees only aggregates, ' +
    'dropout)',
  () => runModule('tests.test_flower', true),
);
