// A real secure-aggregation session with one participant in headless Chromium (the example page
// served by `shardwire serve-example`, the browser bundle of dist/browser/) and Node participants
// in their own processes, coordinated from this process. Used by the browser test (exactness,
// SIMD kernel, screenshot) and bench/browser.bench.ts (client time, browser vs Node).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { Coordinator } from '../../src/coordinator/coordinator.ts';
import { Identity, serialiseIdentity } from '../../src/crypto/identity.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { startRelay, type Relay } from '../../src/relay/index.ts';
import { toBase64url } from '../../src/wire/base64url.ts';
import { cliSpawn } from '../unit/cli/_cli.ts';
import { launchChromium, OUTPUT_DIR } from './_chromium.ts';
import type { NodeParticipantStart } from './_node-participant.ts';

const NODE_PARTICIPANT = fileURLToPath(new URL('./_node-participant.ts', import.meta.url));

/** Values on the fixed-point grid (multiples of 1/8 in [−1, 1]) so that the secure sum is exact. */
export function gridVector(dim: number, seed: number): Float64Array {
  return Float64Array.from({ length: dim }, (_, i) => (((i * (seed * 2 + 3) + seed) % 17) - 8) / 8);
}

/** What a run measured. */
export interface BrowserRun {
  readonly dim: number;
  readonly rounds: number;
  /** Largest |secure − plain| over every element of every round (0 when exact). */
  readonly maxAbsError: number;
  /** Kernel build the page loaded. */
  readonly flavour: string;
  /** Client time per round (round.open → sealed partial sent), ms. */
  readonly browserMs: readonly number[];
  readonly nodeMs: readonly number[];
  /** What the page showed. */
  readonly pageState: {
    phase: string;
    rounds: { memo: string; clientMs: number; aggregateHead?: number[] }[];
    error?: unknown;
  };
  readonly screenshot?: string;
}

/** Starts `shardwire serve-example --port 0` and resolves with its URL. */
async function serveExample(): Promise<{ url: string; child: ChildProcess }> {
  const child = cliSpawn(['serve-example', '--port', '0']);
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve-example did not start: ${err}`)), 30_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /open (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve-example exited with ${code}: ${err}`)));
  });
  return { url, child };
}

async function waitForPage<T>(page: Page, fn: string, ms: number): Promise<T> {
  const handle = await page.waitForFunction(fn, undefined, { timeout: ms, polling: 100 });
  return (await handle.jsonValue()) as T;
}

/**
 * Runs `rounds` rounds of dimension `dim` with the browser participant and `nodeParticipants`
 * Node participants; checks nothing itself (callers assert on the result).
 */
export async function runBrowserRounds(o: {
  dim: number;
  rounds: number;
  nodeParticipants: number;
  screenshot?: string;
  relay?: Relay;
}): Promise<BrowserRun> {
  const relay = o.relay ?? (await startRelay({ port: 0, logLevel: 'silent' }));
  const server = await serveExample();
  const browser = await launchChromium();
  const children: ChildProcess[] = [];
  let coordinator: Coordinator | undefined;
  const coordId = await Identity.generate();
  try {
    const me = await Identity.generate();
    const others = await Promise.all(Array.from({ length: o.nodeParticipants }, () => Identity.generate()));
    const n = others.length + 1;
    const config = {
      smpc: { shards: Math.min(3, n), exponent: 3 },
      minClients: n,
      clip: { norm: 'linf', bound: 1 },
      timeouts: { joinMs: 60_000, roundMs: Number(process.env.SW_ROUND_MS ?? 60_000), revealMs: 10_000 },
    };
    const session = `browser-${Date.now().toString(36)}`;
    coordinator = await Coordinator.start({
      relayUrl: relay.url,
      session,
      identity: coordId,
      config,
      kernel: await Kernel.load(),
      // The session's payload limit is sized from maxDim at 8 bytes per element, but a broadcast
      // round.result carries the aggregate as base64url Float64 (≈ 10.7 bytes per element) and
      // would be refused (E_FRAME_TOO_LARGE); leave room for it.
      maxDim: Math.ceil(o.dim * 1.5),
      roster: [me, ...others].map((i) => ({ id: i.id, publicKey: i.publicKey })),
    });
    const vectors = [gridVector(o.dim, 0), ...others.map((_, j) => gridVector(o.dim, j + 1))];

    const page = await browser.context.newPage();
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    if (process.env.SW_DEBUG) {
      page.on('console', (m) => console.error(`[page] ${m.text()}`));
      coordinator.on('progress', (p) => console.error(`[coord] ${p.phase} ${p.received}/${p.expected}`));
      coordinator.on('refused', (r) => console.error(`[coord] refused ${r.type} from ${r.from}: ${r.error.message}`));
    }
    await page.goto(server.url);
    await page.setInputFiles('#identity', {
      name: 'me.json',
      mimeType: 'application/json',
      buffer: Buffer.from(await serialiseIdentity(me)),
    });
    await page.waitForFunction(() => document.getElementById('identity-info')!.textContent!.startsWith('Loaded'));
    const invitation = {
      relayUrl: relay.url,
      session,
      coordinator: { id: coordId.id, publicKey: toBase64url(coordId.publicKey) },
      config,
    };
    await page.fill('#invitation', JSON.stringify(invitation, null, 2));
    await page.setInputFiles('#vector-file', {
      name: 'vector.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(Array.from(vectors[0]!))),
    });
    await page.click('#join');

    const nodeMs: number[] = [];
    const tsx = import.meta.resolve('tsx');
    for (const [j, id] of others.entries()) {
      const child = fork(NODE_PARTICIPANT, [], {
        execArgv: ['--import', tsx],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
      children.push(child);
      child.on('message', (m: { type: string; ms?: number; message?: string }) => {
        if (m.type === 'sent' && j === 0) nodeMs.push(m.ms!);
        if (m.type === 'error' || process.env.SW_DEBUG) console.error(`node participant ${j}: ${JSON.stringify(m)}`);
      });
      const start: NodeParticipantStart = {
        relayUrl: relay.url,
        session,
        identity: await serialiseIdentity(id),
        config,
        rounds: o.rounds,
        vector: vectors[j + 1]!,
        coordinator: { id: coordId.id, publicKey: coordId.publicKey },
      };
      child.send(start);
    }
    await coordinator.waitForParticipants(n, 60_000);

    let maxAbsError = 0;
    const plain = new Float64Array(o.dim);
    for (const v of vectors) for (let i = 0; i < o.dim; i++) plain[i] += v[i]!;
    for (let r = 0; r < o.rounds; r++) {
      const { aggregate } = await coordinator.runRound({ dim: o.dim, broadcast: true });
      for (let i = 0; i < o.dim; i++) maxAbsError = Math.max(maxAbsError, Math.abs(aggregate[i]! - plain[i]!));
    }
    const pageState = await waitForPage<BrowserRun['pageState']>(
      page,
      `window.participant.rounds.length >= ${o.rounds} && ` +
        'window.participant.rounds.every((r) => r.aggregateHead) && window.participant',
      30_000,
    );
    const deadline = Date.now() + 10_000;
    while (nodeMs.length < o.rounds && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (consoleErrors.length > 0) throw new Error(`page errors: ${consoleErrors.join('; ')}`);
    let screenshot: string | undefined;
    if (o.screenshot !== undefined) {
      await mkdir(OUTPUT_DIR, { recursive: true });
      screenshot = join(OUTPUT_DIR, o.screenshot);
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    const flavour = await page.evaluate(
      () => (window as unknown as { participant: { flavour: string } }).participant.flavour,
    );
    return {
      dim: o.dim,
      rounds: o.rounds,
      maxAbsError,
      flavour,
      browserMs: pageState.rounds.map((r) => r.clientMs),
      nodeMs,
      pageState,
      screenshot,
    };
  } finally {
    coordinator?.close();
    coordId.zeroise();
    for (const c of children) if (c.connected) c.disconnect();
    await browser.close();
    server.child.kill('SIGTERM');
    if (!o.relay) await relay.close();
  }
}
