// The CLI behaves like a Unix tool: one line on stderr and no stack trace for any user error,
// exit 2 for usage errors and 1 for runtime errors in every command, --version, negative numbers
// reach the range checks, keygen's key is accepted as is by relay --allow-coordinator, logs are
// JSON lines only, and `npm start` stops cleanly when npm itself gets SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, cliSpawn } from './_cli.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  return lines[0]!;
}

/** Kills the process group (cleanup after a failed assertion). */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Collects output until `pattern` shows on the stream (or the process exits). */
function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, ms = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} on ${stream}: ${text}`)), ms);
    child[stream]!.setEncoding('utf8').on('data', (d: string) => {
      text += d;
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before ${pattern} on ${stream}: ${text}`));
    });
  });
}

/** A TCP port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c)),
  );
}

test('usage errors exit 2 with one line that names the flag and the fix, in every command', () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /^shardwire: unknown command "frobnicate"; commands: .*relay.*; see `shardwire --help`$/],
    [['relay', '--nope'], /^shardwire relay: unknown flag --nope; known flags: --host, --port/],
    [['relay', '--port'], /^shardwire relay: --port needs a value; see `shardwire relay --help`$/],
    [['relay', '--port', 'eighty'], /^shardwire relay: --port expected an integer in \[0, 65535\], got "eighty"/],
    [['relay', '--port', '-1'], /--port expected an integer in \[0, 65535\], got "-1"/],
    [['relay', '--log-level', 'loud'], /--log-level expected one of silent, error, warn, info, debug, got "loud"/],
    [['relay', '--max-payload', '12 parsecs'], /--max-payload expected a size like 65536, 64KiB or 16MiB/],
    [['keygen', '--out'], /^shardwire keygen: --out needs a value/],
    [['keygen', '--json=yes'], /--json takes no value/],
    [['pubkey', 'file.json'], /unexpected argument file\.json/],
    [['demo', '--clients', '-3'], /--clients expected an integer in \[2, 200\], got "-3"/],
    [['demo', '--epsilon', '-0.5'], /--epsilon expected a number > 0, got -0\.5/],
    [['serve-example', '--port', '70000'], /--port expected an integer in \[0, 65535\]/],
    [['bench'], /^shardwire bench: name a benchmark: kernel, noise/],
    [['bench', 'warp'], /unknown benchmark "warp"/],
  ];
  for (const [args, pattern] of cases) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(' ')} → ${r.status}: ${r.stderr}`);
    assert.match(oneLine(r.stderr), pattern, args.join(' '));
    assert.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
  }
});

test('--version and --help', async () => {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const args of [['--version'], ['relay', '--version']]) {
    const r = cli(args);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), version);
  }
  const h = cli(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage: shardwire <command>[\s\S]*serve-example[\s\S]*Exit codes/);
  const none = cli([]);
  assert.equal(none.status, 2, 'no command is a usage error');
  assert.match(none.stderr, /usage: shardwire/);
  for (const c of ['relay', 'keygen', 'pubkey', 'demo', 'serve-example', 'bench']) {
    const r = cli([c, '--help']);
    assert.equal(r.status, 0, `${c} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`usage: shardwire ${c}`));
  }
});

test('runtime errors exit 1 with one line: missing directory, bad identity file, bad host, port in use', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sw-cli-'));
  const blocker = createServer();
  try {
    const noDir = cli(['keygen', '--out', join(dir, 'missing', 'id.json')]);
    assert.equal(noDir.status, 1, noDir.stderr);
    assert.match(oneLine(noDir.stderr), /directory ".*missing" does not exist; create it first/);

    const noFile = cli(['pubkey', '--identity', join(dir, 'nope.json')]);
    assert.equal(noFile.status, 1);
    assert.match(
      oneLine(noFile.stderr),
      /cannot read identity file .*: no such file; create one with `shardwire keygen --out FILE`/,
    );

    const file = join(dir, 'id.json');
    assert.equal(cli(['keygen', '--out', file]).status, 0);
    await chmod(file, 0o644);
    const open = cli(['pubkey', '--identity', file]);
    assert.equal(open.status, 1);
    assert.match(oneLine(open.stderr), /accessible by group or others.*chmod 600/);
    await chmod(file, 0o000);
    if (process.getuid?.() !== 0) {
      const unreadable = cli(['pubkey', '--identity', file]);
      assert.equal(unreadable.status, 1);
      assert.match(oneLine(unreadable.stderr), /permission denied/);
    }
    await writeFile(join(dir, 'garbage.json'), 'not json', { mode: 0o600 });
    const garbage = cli(['pubkey', '--identity', join(dir, 'garbage.json')]);
    assert.equal(garbage.status, 1);
    assert.match(oneLine(garbage.stderr), /E_BAD_STATE: identity file: not valid JSON/);

    const badHost = cli(['relay', '--host', 'no-such-host.invalid', '--port', '0']);
    assert.equal(badHost.status, 1, badHost.stderr);
    assert.match(oneLine(badHost.stderr), /host "no-such-host\.invalid" does not resolve/);

    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const inUse = cli(['relay', '--port', String(port)]);
    assert.equal(inUse.status, 1, inUse.stderr);
    assert.match(oneLine(inUse.stderr), new RegExp(`127\\.0\\.0\\.1:${port} is already in use; .*--port`));
  } finally {
    blocker.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('keygen prints base64url that relay --allow-coordinator takes as is; silent relay writes nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sw-cli-'));
  const file = join(dir, 'coord.json');
  let relay: ChildProcess | undefined;
  try {
    const k = cli(['keygen', '--out', file, '--json']);
    assert.equal(k.status, 0, k.stderr);
    const { publicKey, id } = JSON.parse(k.stdout) as { publicKey: string; id: string };
    assert.match(publicKey, /^[A-Za-z0-9_-]{43}$/);
    const p = cli(['pubkey', '--identity', file, '--json']);
    assert.deepEqual(JSON.parse(p.stdout), { id, publicKey });
    assert.equal(cli(['pubkey', '--identity', file, '--key']).stdout, `${publicKey}\n`);

    relay = cliSpawn(['relay', '--port', '0', '--allow-coordinator', publicKey]);
    const out = await waitFor(relay, 'stdout', /"msg":"relay listening"/);
    for (const line of out.trim().split('\n'))
      assert.doesNotThrow(() => JSON.parse(line), `stdout is JSON lines: ${line}`);
    relay.kill('SIGTERM');
    assert.equal(await exited(relay), 0);

    const port = await freePort();
    relay = cliSpawn(['relay', '--port', String(port), '--log-level', 'silent']);
    let stdout = '';
    let stderr = '';
    relay.stdout!.on('data', (d: Buffer) => (stdout += d));
    relay.stderr!.on('data', (d: Buffer) => (stderr += d));
    // silent: no line to wait for, so wait until it answers (a SIGTERM before its handler is set would kill it)
    const deadline = Date.now() + 30_000;
    while (
      !(await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      assert.ok(Date.now() < deadline, 'the silent relay did not come up');
      await new Promise((r) => setTimeout(r, 100));
    }
    relay.kill('SIGTERM');
    assert.equal(await exited(relay), 0);
    assert.equal(stdout, '', 'no banner on stdout with --log-level silent');
    assert.equal(stderr, '');
  } finally {
    if (relay) killGroup(relay);
    await rm(dir, { recursive: true, force: true });
  }
});

test('npm start stops the relay cleanly when npm itself gets SIGTERM', async () => {
  const port = await freePort();
  const npm = spawn('npm', ['start', '--silent', '--', '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  try {
    let logs = '';
    npm.stdout!.setEncoding('utf8').on('data', (d: string) => (logs += d));
    const ended = new Promise<void>((r) => npm.stdout!.once('end', () => r())); // every writer of the pipe is gone
    await waitFor(npm, 'stderr', /listening on ws:\/\/127\.0\.0\.1/);
    npm.kill('SIGTERM');
    await Promise.race([
      ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`relay still running: ${logs}`)), 15_000)),
    ]);
    assert.match(logs, /"msg":"relay stopped"/, 'the relay shut down gracefully');
    const refused = await new Promise<boolean>((r) =>
      connect(port, '127.0.0.1')
        .once('error', () => r(true))
        .once('connect', () => r(false)),
    );
    assert.ok(refused, 'the port is free again');
  } finally {
    killGroup(npm);
  }
});
