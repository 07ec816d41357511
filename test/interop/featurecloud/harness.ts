// Interop harness: a relay in this process, three real FeatureCloud app processes (the upstream
// engine, unmodified, from $SHARDWIRE_FEATURECLOUD_DIR, or the CI machine's copy of it) and
// three `shardwire controller` processes with --json. Missing python3/numpy/bottle or vendor dir
// is an error that says so — never a silent skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Identity, publicKeyToBase64url } from '../../../src/crypto/identity.ts';
import { saveIdentity } from '../../../src/crypto/identity-file.ts';
import { startRelay, type Relay } from '../../../src/relay/index.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '../../..');
export const APPS = join(HERE, 'apps');
// the CLI from the sources (bin/shardwire.mjs runs the compiled dist/, which a checkout may not have built)
const CLI = ['--import', import.meta.resolve('tsx'), join(REPO, 'src/cli/run.ts')];

/** Where the upstream engine and a python with numpy and bottle are; throws when absent. */
export function environment(): { vendor: string; python: string } {
  const vendor = process.env.SHARDWIRE_FEATURECLOUD_DIR ?? resolve(REPO, '../shared/vendor/featurecloud');
  const python = process.env.SHARDWIRE_PYTHON ?? '/usr/bin/python3';
  if (!existsSync(join(vendor, 'FeatureCloud/app/engine/app.py'))) {
    throw new Error(
      `FeatureCloud engine not found at ${vendor} (no FeatureCloud/app/engine/app.py): npm run test:interop runs ` +
        `real FeatureCloud apps and cannot pass without the engine; set SHARDWIRE_FEATURECLOUD_DIR to a checkout ` +
        `of github.com/FeatureCloud/FeatureCloud (the folder that holds FeatureCloud/)`,
    );
  }
  const probe = spawnSync(python, ['-c', 'import numpy, bottle'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || '').trim().split('\n').pop();
    throw new Error(
      `${python} cannot import numpy and bottle (${why}); ` +
        'install python3-numpy python3-bottle or set SHARDWIRE_PYTHON',
    );
  }
  return { vendor, python };
}

export interface ControllerRun {
  readonly index: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Date.now() when the process exited. */
  readonly exitedAt: number;
  readonly events: Record<string, unknown>[];
  readonly stderr: string;
}

export interface RunResult {
  readonly ids: string[];
  readonly controllers: ControllerRun[];
  readonly outputs: Map<string, Record<string, unknown>>;
  readonly appLogs: string[];
  readonly ms: number;
}

export interface RunOptions {
  /** The app file in apps/ (or a fake app per site: see `fakeApps`). */
  readonly app: string;
  readonly sites?: number;
  readonly env?: Record<string, string>;
  /** Extra controller flags, per site index. */
  readonly flags?: (index: number) => string[];
  /** Replace site i's FeatureCloud app by a fake HTTP server. */
  readonly fakeApps?: Record<number, FakeApp>;
  /** Called once the controllers run (e.g. to kill one). */
  readonly during?: (procs: { controllers: ChildProcess[]; events: Record<string, unknown>[][] }) => void;
  readonly timeoutMs?: number;
}

/** A fake app: answers /api/* with `handle`. */
export type FakeApp = (method: string, path: string, body: Buffer, res: import('node:http').ServerResponse) => void;

let relayPromise: Promise<Relay> | undefined;
/** One relay per test file. */
export function relay(): Promise<Relay> {
  relayPromise ??= startRelay({ port: 0, logLevel: 'silent' });
  return relayPromise;
}

/** Lines of JSON from a stream, as they come. */
function collectJson(
  stream: NodeJS.ReadableStream,
  into: Record<string, unknown>[],
  onLine?: (o: Record<string, unknown>) => void,
): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        into.push(o);
        onLine?.(o);
      } catch {
        into.push({ event: 'text', line });
      }
    }
  });
}

function startApp(
  python: string,
  vendor: string,
  app: string,
  env: Record<string, string>,
  log: string[],
): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(python, [join(APPS, app)], {
    env: { ...process.env, PYTHONPATH: `${vendor}:${APPS}`, PYTHONUNBUFFERED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolvePort, reject) => {
    let buf = '';
    let port = 0;
    proc.stdout!.setEncoding('utf8');
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => log.push(d));
    proc.stdout!.on('data', (d: string) => {
      log.push(d);
      if (port) return;
      buf += d;
      const m = /\{"port": (\d+)\}/.exec(buf);
      if (m) resolvePort({ proc, port: (port = Number(m[1])) });
    });
    proc.on('exit', (code) => {
      if (!port) reject(new Error(`app ${app} exited with ${code} before listening:\n${log.join('')}`));
    });
  });
}

function startFake(handle: FakeApp): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req.method ?? 'GET', req.url ?? '/', Buffer.concat(chunks), res));
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r({ server, port: (server.address() as { port: number }).port })),
  );
}

/** Runs one FeatureCloud run across `sites` sites and returns what every controller and app did. */
export async function runSites(o: RunOptions): Promise<RunResult> {
  const { vendor, python } = environment();
  const n = o.sites ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'shardwire-fc-'));
  const t0 = performance.now();
  const r = await relay();
  const identities = await Promise.all(Array.from({ length: n }, () => Identity.generate()));
  const sites = await Promise.all(
    identities.map(async (id) => ({ id: id.id, publicKey: publicKeyToBase64url(id.publicKey) })),
  );
  writeFileSync(join(dir, 'roster.json'), JSON.stringify({ coordinator: sites[0]!.id, sites }));
  for (const [i, id] of identities.entries()) {
    await saveIdentity(id, join(dir, `site${i}.json`));
    id.zeroise();
  }
  const session = `fc-${randomUUID().slice(0, 8)}`;
  const appLogs: string[][] = identities.map(() => []);
  const apps: ChildProcess[] = [];
  const fakes: Server[] = [];
  const controllers: ChildProcess[] = [];
  const events: Record<string, unknown>[][] = identities.map(() => []);
  const stderr: string[] = identities.map(() => '');
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const fake = o.fakeApps?.[i];
      if (fake) {
        const f = await startFake(fake);
        fakes.push(f.server);
        ports.push(f.port);
      } else {
        const a = await startApp(
          python,
          vendor,
          o.app,
          { FC_OUT: dir, FC_TERMINAL_WAIT: '0.3', FC_TRANSITION_WAIT: '0.05', FC_DATA_POLL_INTERVAL: '0.02', ...o.env },
          appLogs[i]!,
        );
        apps.push(a.proc);
        ports.push(a.port);
      }
    }
    const exits = identities.map((_, i) => {
      const args = [
        ...CLI,
        'controller',
        '--app',
        `http://127.0.0.1:${ports[i]}`,
        '--relay',
        r.url,
        '--session',
        session,
        '--identity',
        join(dir, `site${i}.json`),
        '--roster',
        join(dir, 'roster.json'),
        '--json',
        '--join-timeout-ms',
        '30000',
        '--round-timeout-ms',
        '30000',
        ...(i === 0 ? ['--coordinator'] : []),
        ...(o.flags?.(i) ?? []),
      ];
      const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      controllers.push(proc);
      collectJson(proc.stdout!, events[i]!);
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (d: string) => (stderr[i] += d));
      return new Promise<{ code: number | null; signal: NodeJS.Signals | null; exitedAt: number }>((res) =>
        proc.on('exit', (code, signal) => res({ code, signal, exitedAt: Date.now() })),
      );
    });
    o.during?.({ controllers, events });
    const timeoutMs = o.timeoutMs ?? 120_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const all = await Promise.race([
      Promise.all(exits),
      new Promise<never>(
        (_, rej) =>
          (timer = setTimeout(
            () =>
              rej(
                new Error(
                  `controllers still running after ${timeoutMs} ` +
                    `ms:\n${stderr.join('\n---\n')}\n${appLogs.map((l) => l.join('')).join('\n---\n')}`,
                ),
              ),
            timeoutMs,
          )),
      ),
    ]).finally(() => clearTimeout(timer));
    const outputs = new Map<string, Record<string, unknown>>();
    for (const f of readdirSync(dir)) {
      if (/^[0-9a-f]{32}\.json$/.test(f))
        outputs.set(f.slice(0, 32), JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>);
    }
    return {
      ids: sites.map((s) => s.id),
      controllers: all.map((e, i) => ({ index: i, ...e, events: events[i]!, stderr: stderr[i]! })),
      outputs,
      appLogs: appLogs.map((l) => l.join('')),
      ms: performance.now() - t0,
    };
  } finally {
    for (const p of [...controllers, ...apps]) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const f of fakes) f.closeAllConnections(), f.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The error event of a controller run, if any. */
export function errorOf(c: ControllerRun): { code: string; message: string } | undefined {
  return c.events.find((e) => e.event === 'error') as { code: string; message: string } | undefined;
}

/** A compact description of a run for assertion messages. */
export function describeRun(r: RunResult): string {
  return (
    r.controllers
      .map(
        (c) =>
          `site ${c.index}: exit ${c.code}${c.signal ? ` (${c.signal})` : ''} ` +
          `${JSON.stringify(errorOf(c) ?? null)}\n${c.stderr.slice(-1500)}`,
      )
      .join('\n') + `\napp logs:\n${r.appLogs.map((l, i) => `--- app ${i}\n${l.slice(-2000)}`).join('\n')}`
  );
}
