/**
 * @module client/client
 * The participant SDK (Node and browsers: no Node-only import on this path). A client joins the
 * session, exchanges signed key bundles with the coordinator, and for each round it is asked to
 * join builds its masked, clipped partial (secagg/partial.ts), seals it to the coordinator, and
 * answers a dropout recovery by revealing only the seeds of its edges with dropped participants.
 */
import { ERROR_CATALOGUE, ShardwireError, type ErrorCode } from '../errors.ts';
import { aobject, describe } from '../guards.ts';
import { Emitter } from '../emitter.ts';
import { validateConfig, type SessionConfig } from '../config.ts';
import { configHash } from '../crypto/hash.ts';
import type { Identity } from '../crypto/identity.ts';
import { identityId } from '../crypto/identity.ts';
import { keyBundleFromJson, keyBundleToJson } from '../crypto/session-keys.ts';
import { Kernel } from '../kernel/kernel.ts';
import { allocRing, arealVector, wipeRing, type RealVector } from '../kernel/vectors.ts';
import { addNoise, newNoiseKey } from '../kernel/noise.ts';
import { noisePlan, type NoisePlan } from '../dp/noise-plan.ts';
import { fromBase64url, toBase64url } from '../wire/base64url.ts';
import type { Frame } from '../wire/frame.ts';
import { holderGraph } from '../secagg/holder-graph.ts';
import {
  decodeBody, decodeFloat64, encodeBody, parseRoundAbort, parseRoundOpen, parseRoundRecover, parseRoundResult, ringBytes, RoundType,
  type RoundOpen,
} from '../session/round-messages.ts';
import { SealedChannel } from '../session/sealed-channel.ts';
import { buildPartial } from '../secagg/partial.ts';

/** Options of {@link Client.join}. */
export interface ClientOptions {
  readonly relayUrl: string;
  readonly session: string;
  readonly identity: Identity;
  /** The coordinator's id and Ed25519 public key (obtained out of band, like the config). */
  readonly coordinator: { readonly id: string; readonly publicKey: Uint8Array };
  /** The session configuration this participant agrees to; its hash must match the coordinator's. */
  readonly config: unknown;
  readonly kernel?: Kernel;
  /** How long to wait for the relay and the coordinator's key bundle (default: config join timeout). */
  readonly timeoutMs?: number;
}

/** What one contribution returned. */
export interface ContributionResult {
  readonly memo: string;
  /** The released aggregate, when the coordinator broadcasts it. */
  readonly aggregate?: Float64Array;
  readonly contributors?: readonly string[];
  /** Bytes of this client's sealed partial. */
  readonly bytesSent: number;
}

/** Progress events. */
export interface ClientEvents {
  [key: string]: unknown;
  progress: { memo: string; phase: 'open' | 'sent' | 'recover' | 'done' | 'aborted' };
  refused: { from: string; type: string; error: ShardwireError };
}

interface Waiter {
  resolve(r: ContributionResult): void;
  reject(e: ShardwireError): void;
}

/** A session participant. Create with {@link Client.join}; {@link Client.close} when done. */
export class Client extends Emitter<ClientEvents> {
  readonly id: string;
  readonly config: SessionConfig;
  /** The session's noise, when it has a dp section. */
  readonly noise: NoisePlan | undefined;
  private readonly kernel: Kernel;
  private readonly channel: SealedChannel;
  private readonly coordinatorId: string;
  private queue: Promise<void> = Promise.resolve();
  private pendingOpens: RoundOpen[] = [];
  /** When each round.open arrived (performance.now()), for the send pace. */
  private readonly openedAt = new Map<string, number>();
  private openWaiters: ((o: RoundOpen) => void)[] = [];
  /** Rounds this client contributed to, by memo: what it needs to answer a recovery. */
  private readonly contributed = new Map<string, { open: RoundOpen; revealed: boolean; bytes: number; waiter?: Waiter }>();
  private closedError: ShardwireError | undefined;

  private constructor(id: string, config: SessionConfig, kernel: Kernel, channel: SealedChannel, coordinatorId: string) {
    super();
    this.id = id;
    this.config = config;
    this.noise = config.dp === undefined ? undefined : noisePlan(config.dp, config.smpc.exponent, config.minHonest);
    this.kernel = kernel;
    this.channel = channel;
    this.coordinatorId = coordinatorId;
  }

  /**
   * Joins the session and completes the key exchange with the coordinator.
   * @throws {ShardwireError} E_BAD_CONFIG for a bad config; the relay's code (E_AUTH,
   *   E_NOT_IN_SESSION, ...); E_CRYPTO / E_CONFIG_MISMATCH when the coordinator's bundle does not
   *   verify or was signed for another configuration; E_TIMEOUT.
   * @example const client = await Client.join({ relayUrl, session: 'study-7', identity, coordinator, config })
   */
  static async join(o: ClientOptions): Promise<Client> {
    aobject(o, 'options');
    const config = validateConfig(o.config);
    const hash = await configHash(config);
    const kernel = o.kernel ?? (await Kernel.load());
    const timeoutMs = o.timeoutMs ?? config.timeouts.joinMs;
    const channel = await SealedChannel.open({ url: o.relayUrl, session: o.session, identity: o.identity, configHash: hash, timeoutMs });
    const { link, keyring } = channel;
    const client = new Client(o.identity.id, config, kernel, channel, o.coordinator.id);
    let bundleOk!: () => void, bundleBad!: (e: ShardwireError) => void;
    const gotBundle = new Promise<void>((a, b) => ((bundleOk = a), (bundleBad = b)));
    // messages behind the bundle (a round.open can follow it in the same tick) wait until the
    // coordinator's key is in the keyring; handled earlier they would not open and be lost
    client.queue = gotBundle.catch(() => undefined);
    const timer = setTimeout(() => bundleBad(new ShardwireError('E_TIMEOUT', `the coordinator's key bundle did not arrive within ${timeoutMs} ms; is the coordinator running?`)), timeoutMs);
    link.on({
      message: (f) => {
        if (f.header.type === RoundType.keyBundle && f.header.from === o.coordinator.id) {
          client.acceptCoordinatorBundle(f, o.coordinator.publicKey).then(bundleOk, bundleBad);
        } else client.enqueue(f);
      },
      error: (e) => client.emit('refused', { from: 'relay', type: 'error', error: e }),
      close: () => client.fail(new ShardwireError('E_TIMEOUT', 'the relay connection closed')),
    });
    client.channel.sendPublic(o.coordinator.id, RoundType.keyBundle, encodeBody(await keyBundleToJson(keyring.bundle)));
    try {
      await gotBundle;
    } catch (e) {
      client.close();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    return client;
  }

  private async acceptCoordinatorBundle(f: Frame, publicKey: Uint8Array): Promise<void> {
    this.channel.checkSeq(f.header);
    const bundle = await keyBundleFromJson(decodeBody(RoundType.keyBundle, f.payload));
    await this.channel.keyring.addPeer({ id: this.coordinatorId, publicKey }, bundle); // E_CONFIG_MISMATCH when hashes differ
  }

  private enqueue(frame: Frame): void {
    this.queue = this.queue.then(() => this.handle(frame)).catch((e) => {
      this.emit('refused', { from: frame.header.from, type: frame.header.type, error: e instanceof ShardwireError ? e : new ShardwireError('E_BAD_PAYLOAD', String(e)) });
    });
  }

  private async handle(frame: Frame): Promise<void> {
    const { from, type, memo } = frame.header;
    if (from !== this.coordinatorId) throw new ShardwireError('E_NOT_IN_SESSION', `${type} from ${from}: participants only take round messages from the coordinator`);
    const body = decodeBody(type, await this.channel.open(frame));
    if (body.memo !== memo) throw new ShardwireError('E_REPLAY', `${type}: body memo ${String(body.memo)} differs from header memo ${memo}`);
    if (type === RoundType.open) return this.onOpen(parseRoundOpen(body));
    const round = this.contributed.get(memo ?? '');
    if (!round) throw new ShardwireError('E_REPLAY', `${type} for memo ${memo}, a round this client did not contribute to`);
    if (type === RoundType.recover) return this.onRecover(round, parseRoundRecover(body));
    if (type === RoundType.result) {
      const r = parseRoundResult(body);
      this.emit('progress', { memo: r.memo, phase: 'done' });
      round.waiter?.resolve({ memo: r.memo, aggregate: decodeFloat64(r.aggregate), contributors: r.contributors, bytesSent: round.bytes });
    } else if (type === RoundType.abort) {
      const a = parseRoundAbort(body);
      this.emit('progress', { memo: a.memo, phase: 'aborted' });
      const code = (a.code in ERROR_CATALOGUE ? a.code : 'E_ABORTED') as ErrorCode;
      round.waiter?.reject(new ShardwireError(code, `the coordinator aborted round ${a.memo}: ${a.message}`, { memo: a.memo }));
    } else throw new ShardwireError('E_BAD_PAYLOAD', `unexpected message type ${type}`);
  }

  private onOpen(open: RoundOpen): void {
    if (open.configHash !== this.channel.keyring.configHash) {
      throw new ShardwireError('E_CONFIG_MISMATCH', `round ${open.memo} runs under config ${open.configHash.slice(0, 12)}…, this participant agreed to ${this.channel.keyring.configHash.slice(0, 12)}…; refusing to contribute`, { memo: open.memo });
    }
    if (this.contributed.has(open.memo) || this.pendingOpens.some((p) => p.memo === open.memo)) throw new ShardwireError('E_REPLAY', `round ${open.memo} was already opened; memos are never reused`);
    if (!open.participants.includes(this.id)) throw new ShardwireError('E_NOT_IN_SESSION', `round ${open.memo} does not list this participant`);
    this.openedAt.set(open.memo, performance.now());
    this.emit('progress', { memo: open.memo, phase: 'open' });
    const waiter = this.openWaiters.shift();
    if (waiter) waiter(open);
    else this.pendingOpens.push(open);
  }

  /**
   * Contributes `vector` to the next round the coordinator opens (or the one with `memo`), and
   * resolves when it is done: with the aggregate if the coordinator broadcasts it, else once the
   * partial is sent. In DP sessions the noise is sampled before the vector is read (DESIGN §5).
 * For a weightedMean round pass `weight` (e.g. the local sample count, ≤ config maxWeight).
 * Without broadcast it resolves once the partial is sent; keep the client open until the
 * coordinator's round ends, since a dropout recovery may still need this client's seed reveals.
   * @throws {ShardwireError} E_BAD_VECTOR (type, length ≠ the round's dim, NaN/∞),
   *   E_RING_OVERFLOW, E_TIMEOUT, E_ABORTED, E_TOO_FEW_CONTRIBUTORS (the coordinator aborted).
   * @example const { aggregate } = await client.aggregate(new Float64Array(weights))
   */
  async aggregate(vector: RealVector, options: { memo?: string; weight?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ContributionResult> {
    arealVector(vector, 'vector');
    aobject(options, 'options');
    if (this.closedError) throw this.closedError;
    const open = await this.nextOpen(options);
    if (vector.length !== open.dim) throw new ShardwireError('E_BAD_VECTOR', `"vector" expected length ${open.dim} (round ${open.memo}), got length ${vector.length}`, { expected: open.dim, actual: vector.length });
    const weight = this.weightFor(open, options.weight);
    const keyring = this.channel.keyring;
    for (const [i, pid] of open.participants.entries()) {
      if (pid === this.id || keyring.hasPeer(pid)) continue;
      const member = open.roster[i];
      const publicKey = fromBase64url(member?.publicKey ?? '');
      if (!member || member.id !== pid || !publicKey || (await identityId(publicKey)) !== pid) throw new ShardwireError('E_CRYPTO', `round ${open.memo}: roster entry for ${pid} does not match its id`);
      await keyring.addPeer({ id: pid, publicKey }, await keyBundleFromJson(open.bundles[i]));
    }
    // DESIGN §5: the noise is sampled before the data is touched, then clamped to its tail bound
    const noise = this.noise === undefined ? undefined : this.sampleNoise(open.ring, open.dim);
    const graph = await holderGraph(open.participants, open.memo, this.config.smpc.shards);
    const outgoingSeeds = graph.holdersOf(this.id).map((j) => keyring.shardSeed(this.id, j, open.memo));
    const incomingSeeds = graph.heldBy(this.id).map((l) => keyring.shardSeed(l, this.id, open.memo));
    const partial = buildPartial(this.kernel, vector, { exponent: this.config.smpc.exponent, ring: open.ring, clip: this.config.clip, noise, outgoingSeeds, incomingSeeds, ...(weight === undefined ? {} : { weight }) });
    if (noise) wipeRing(noise);
    for (const s of [...outgoingSeeds, ...incomingSeeds]) s.fill(0);
    const round: { open: RoundOpen; revealed: boolean; bytes: number; waiter?: Waiter } = { open, revealed: false, bytes: 0 };
    this.contributed.set(open.memo, round);
    const before = this.channel.bytesSent;
    const done = open.broadcast ? new Promise<ContributionResult>((resolve, reject) => (round.waiter = { resolve, reject })) : undefined;
    // answer at the round's pace, not when sampling ends (DESIGN §5; config timeouts.paceMs)
    const wait = (this.openedAt.get(open.memo) ?? 0) + this.config.timeouts.paceMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.openedAt.delete(open.memo);
    await this.channel.send(this.coordinatorId, RoundType.partial, open.memo, ringBytes(partial.vector));
    wipeRing(partial.vector);
    round.bytes = this.channel.bytesSent - before;
    this.emit('progress', { memo: open.memo, phase: 'sent' });
    if (!done) return { memo: open.memo, bytesSent: round.bytes };
    return this.withTimeout(done, options.timeoutMs ?? this.config.timeouts.roundMs + this.config.timeouts.revealMs, options.signal, `the result of round ${open.memo}`);
  }

  /** The weight to use in `open`: required (0 < w ≤ maxWeight) for a weighted mean, refused otherwise. */
  private weightFor(open: RoundOpen, weight: number | undefined): number | undefined {
    if (open.operation !== 'weightedMean') {
      if (weight !== undefined) throw new ShardwireError('E_BAD_ARGUMENT', `"weight" given, but round ${open.memo} computes a ${open.operation}, not a weightedMean`);
      return undefined;
    }
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > this.config.maxWeight) {
      throw new ShardwireError('E_BAD_ARGUMENT', `round ${open.memo} is a weightedMean: "weight" expected a number in (0, ${this.config.maxWeight}] (config maxWeight), got ${describe(weight)}`, { field: 'weight' });
    }
    return weight;
  }

  private sampleNoise(ring: 32 | 64, dim: number) {
    const plan = this.noise!;
    const v = allocRing(ring, dim);
    const key = newNoiseKey();
    try {
      addNoise(this.kernel, v, { ...plan.calibration.noise, key });
    } finally {
      key.fill(0);
    }
    this.kernel.clip(v, { norm: 'linf', bound: plan.tail });
    return v;
  }

  private nextOpen(o: { memo?: string; timeoutMs?: number; signal?: AbortSignal }): Promise<RoundOpen> {
    const i = this.pendingOpens.findIndex((p) => o.memo === undefined || p.memo === o.memo);
    if (i >= 0) return Promise.resolve(this.pendingOpens.splice(i, 1)[0]);
    const p = new Promise<RoundOpen>((resolve) => {
      const w = (open: RoundOpen) => {
        if (o.memo !== undefined && open.memo !== o.memo) return this.pendingOpens.push(open), this.openWaiters.unshift(w);
        resolve(open);
      };
      this.openWaiters.push(w);
    });
    return this.withTimeout(p, o.timeoutMs ?? this.config.timeouts.roundMs, o.signal, 'a round to open');
  }

  private withTimeout<T>(p: Promise<T>, ms: number, signal: AbortSignal | undefined, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ShardwireError('E_TIMEOUT', `waited ${ms} ms for ${what}`)), ms);
      const onAbort = () => reject(new ShardwireError('E_ABORTED', `stopped waiting for ${what}: aborted by the caller`));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      p.then(resolve, reject).finally(() => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
    });
  }

  private async onRecover(round: { open: RoundOpen; revealed: boolean }, r: { memo: string; dropped: readonly string[]; survivors: readonly string[] }): Promise<void> {
    const { open } = round;
    const all = new Set([...r.dropped, ...r.survivors]);
    if (round.revealed) throw new ShardwireError('E_REPLAY', `round ${r.memo}: seeds were already revealed once`);
    if (r.dropped.includes(this.id) || !r.survivors.includes(this.id)) throw new ShardwireError('E_BAD_PAYLOAD', `round ${r.memo}: recovery lists this participant as dropped; refusing to reveal`);
    if (all.size !== open.participants.length || open.participants.some((p) => !all.has(p)) || r.dropped.some((d) => r.survivors.includes(d))) throw new ShardwireError('E_BAD_PAYLOAD', `round ${r.memo}: dropped ∪ survivors is not the round's participant set`);
    if (r.survivors.length < this.config.minClients) throw new ShardwireError('E_TOO_FEW_CONTRIBUTORS', `round ${r.memo}: only ${r.survivors.length} survivors, fewer than minClients; refusing to reveal`);
    round.revealed = true;
    this.emit('progress', { memo: r.memo, phase: 'recover' });
    const graph = await holderGraph(open.participants, open.memo, this.config.smpc.shards);
    const keyring = this.channel.keyring;
    const seeds: { from: string; to: string; seed: string }[] = [];
    for (const j of graph.holdersOf(this.id)) if (r.dropped.includes(j)) seeds.push({ from: this.id, to: j, seed: wipeAfter(keyring.shardSeed(this.id, j, open.memo)) });
    for (const l of graph.heldBy(this.id)) if (r.dropped.includes(l)) seeds.push({ from: l, to: this.id, seed: wipeAfter(keyring.shardSeed(l, this.id, open.memo)) });
    await this.channel.send(this.coordinatorId, RoundType.reveal, r.memo, encodeBody({ memo: r.memo, seeds }));
  }

  private fail(e: ShardwireError): void {
    this.closedError = e;
    for (const round of this.contributed.values()) round.waiter?.reject(e);
  }

  /** Leaves the session: closes the relay connection and wipes the session keys. */
  close(): void {
    this.fail(new ShardwireError('E_ABORTED', 'the client was closed'));
    this.channel.link.close();
    if (!this.channel.keyring.destroyed) this.channel.keyring.destroy();
  }
}

function wipeAfter(seed: Uint8Array): string {
  const s = toBase64url(seed);
  seed.fill(0);
  return s;
}
