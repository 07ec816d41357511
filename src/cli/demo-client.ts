/**
 * @module cli/demo-client
 * Entry of one demo client process (forked by cli/demo-workers.ts with tsx): receives its start
 * message over IPC — never argv or env, which other users can read — joins the session, and
 * contributes its deterministic input (cli/demo-inputs.ts) to each round. A client told to drop
 * exits as soon as the first round opens, without contributing. It exits when the parent
 * disconnects, so no client outlives the demo.
 */
import { Client } from '../client/client.ts';
import { parseIdentity } from '../crypto/identity.ts';
import { isShardwireError, ShardwireError } from '../errors.ts';
import { demoInput, type InputGrid } from './demo-inputs.ts';
import { demoTensors } from './demo-tensors.ts';
import type { TensorSpecInput } from '../tensors/spec.ts';
import { demoRecords } from './demo-statistics.ts';
import type { DemoOperation } from './demo-flags.ts';
import { isStatistic } from '../stats/operations.ts';

/** The parent's start message. */
export interface WorkerStart {
  readonly type: 'start';
  readonly relayUrl: string;
  readonly session: string;
  /** Identity file text (contains the secret key; travels over the IPC pipe only). */
  readonly identity: string;
  readonly coordinator: { readonly id: string; readonly publicKey: Uint8Array };
  readonly config: unknown;
  readonly index: number;
  readonly dim: number;
  readonly rounds: number;
  readonly grid: InputGrid;
  /** Exit when the first round opens, without contributing. */
  readonly drop: boolean;
  /** Typed tensors (--tensors) instead of one vector. */
  readonly tensors?: readonly TensorSpecInput[];
  /** What the rounds compute (default sum); statistics contribute `records` rows of `dim` values. */
  readonly operation?: DemoOperation;
  readonly records?: number;
  /** DP sessions: the file of this client's privacy ledger. */
  readonly ledgerPath?: string;
}

/** A DP round as the client's own ledger counts it (the 'sent' report). */
export interface WorkerLedger {
  readonly epsilonRound: number;
  readonly epsilonTotal: number;
  readonly coordinatorEpsilonTotal: number;
  /** Rounds in the ledger and how many of them were released and matched the coordinator's report. */
  readonly entries: number;
  readonly released: number;
}

/** Messages a worker sends to its parent. */
export type WorkerReport =
  | { readonly type: 'joined'; readonly index: number }
  | { readonly type: 'sent'; readonly index: number; readonly round: number; readonly bytes: number; readonly partialBytes: number; readonly ms: number; readonly peakRssMb: number; readonly ledger?: WorkerLedger }
  | { readonly type: 'error'; readonly index: number; readonly code: string; readonly message: string };

function report(m: WorkerReport): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(m, undefined, {}, () => resolve()) : resolve()));
}

async function work(s: WorkerStart): Promise<void> {
  const identity = await parseIdentity(s.identity);
  const client = await Client.join({ relayUrl: s.relayUrl, session: s.session, identity, coordinator: s.coordinator, config: s.config, ...(s.ledgerPath ? { ledgerPath: s.ledgerPath } : {}) });
  identity.zeroise(); // the client keeps its own copy for the session
  // nothing in the demo should be refused; a refused message would leave this client waiting
  // for a round it never saw, so fail loudly instead
  let refused!: (e: Error) => void;
  const failed = new Promise<never>((_, reject) => (refused = reject));
  failed.catch(() => undefined);
  client.on('refused', (r) => refused(new ShardwireError(r.error.code, `refused a ${r.type} from ${r.from}: ${r.error.message}`)));
  try {
    if (s.drop) {
      client.on('progress', (p) => {
        if (p.phase !== 'open') return;
        // a crash-like exit, synchronous so no partial can follow: the relay sees the socket
        // close and reports this client offline
        client.close();
        process.exit(0);
      });
    }
    await report({ type: 'joined', index: s.index });
    for (let round = 0; round < s.rounds; round++) {
      const t0 = performance.now();
      const contribution = isStatistic(s.operation ?? 'sum') ? client.contributeRecords(demoRecords(s.index, round, s.dim, s.records ?? 1, s.grid)) : client.aggregate(s.tensors ? demoTensors(s.tensors, s.index, round, s.grid) : demoInput(s.index, round, s.dim, s.grid));
      const r = await Promise.race([contribution, failed]);
      const entries = client.ledger?.entries ?? [];
      const ledger = r.privacy ? { ...r.privacy, entries: entries.length, released: entries.filter((e) => e.state === 'released').length } : undefined;
      await report({ type: 'sent', index: s.index, round, bytes: r.bytesSent, partialBytes: r.partialBytes, ms: performance.now() - t0, peakRssMb: process.resourceUsage().maxRSS / 1024, ...(ledger ? { ledger: { epsilonRound: ledger.epsilonRound, epsilonTotal: ledger.epsilonTotal, coordinatorEpsilonTotal: ledger.coordinatorEpsilonTotal, entries: ledger.entries, released: ledger.released } } : {}) });
    }
    // stay online until the parent lets go: the coordinator may still need this client's seed
    // reveals to recover a dropped participant's masks
    await new Promise((resolve) => process.once('disconnect', resolve));
  } finally {
    client.close();
  }
}

if (process.send) {
  process.once('disconnect', () => setTimeout(() => process.exit(0), 100).unref());
  process.once('message', (m: WorkerStart) => {
    work(m).then(
      () => process.exit(0),
      async (e: unknown) => {
        const code = isShardwireError(e) ? e.code : 'E_INTERNAL';
        await report({ type: 'error', index: m.index, code, message: e instanceof Error ? e.message : String(e) });
        process.exit(1);
      },
    );
  });
}
