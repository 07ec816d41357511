/**
 * @module kernel/keystream-worker
 * Mask keystream from a second thread (Node only). The masks are most of a client's work (4
 * streams × 4 bytes per element against 4 bytes of rounding bits, measured by bench:kernel), and
 * they do not depend on the data, so one worker thread makes them with node:crypto while the
 * calling thread encodes, clips and adds. Same bytes as every other source.
 *
 * Shared memory: per stream a ring of {@link RING_SLOTS} slots of {@link SLOT_BYTES}; a state
 * word per slot (EMPTY/FULL) hands slots back and forth with Atomics. The worker fills each
 * stream's next empty slot in turn; the caller copies bytes out of its streams' full slots in any
 * sizes it likes, empties them and wakes the worker. `close()` tells the worker to stop, waits
 * until it has, and zeroes every slot: no keystream outlives the call. Reached through
 * `process.getBuiltinModule` (no static Node import; browsers never get here). The worker only
 * ever runs ahead: when a slot the caller needs is not full within {@link STEAL_MS}, the caller
 * takes that stream over with its own node:crypto stream from the byte it had reached (same
 * bytes) and the worker drops it — so a worker without a core to itself, or one that is gone,
 * never makes the caller wait; the next {@link COOLDOWN_CALLS} calls then do without it. A worker that does not stop at the end of a call is terminated.
 */
import { NodeChaChaStream, nodeChaCha20 } from './node-chacha.ts';

/** Most mask streams one worker job carries (more: the calling thread makes them all itself). */
export const MAX_WORKER_STREAMS = 8; // masks.ts gives it all but the first stream of a call
/** Bytes per slot: one OpenSSL call's worth (node-chacha.ts PIECE_BYTES). */
const SLOT_BYTES = 64 * 1024;
/** Slots per stream: two steps of ring-64 masks in flight. */
const RING_SLOTS = 4;
/** Below this many mask bytes per call the messages cost more than the second thread saves. */
export const WORKER_MIN_BYTES = 1 << 20;
/** How long the caller waits for a worker that is running a job to stop (else it is dropped). */
const WAIT_MS = 2000;
/**
 * How long the caller waits for a slot before it takes the stream over for the rest of the call:
 * a worker that has no core to itself (another job on the machine) then costs ~0.2 ms per
 * stream instead of making the caller wait for it.
 */
const STEAL_MS = 0.2;
/**
 * Calls that skip the worker after one in which the caller had to take a stream over: a worker
 * that falls behind has no core to itself, and then it only takes CPU time from the caller.
 */
const COOLDOWN_CALLS = 8;
let cooldown = 0;
/** Bytes the callers took from the worker's slots, and streams they took over (for tests). */
const stats = { bytesFromWorker: 0, takeOvers: 0 };

// control words (Int32Array over the shared buffer)
const C_JOB = 0; // job number the worker should run; the caller bumps it to cancel
const C_BUSY = 1; // 1 while the worker runs a job
const C_KICK = 2; // bumped by the caller whenever it empties a slot
const C_TAKEN = 8; // stream s at C_TAKEN + s: 1 once the caller makes that stream itself
// slot states from here: stream s, slot i at C_STATE + s·RING_SLOTS + i (0 empty, 1 full)
const C_STATE = C_TAKEN + MAX_WORKER_STREAMS;
const C_WORDS = C_STATE + MAX_WORKER_STREAMS * RING_SLOTS;
const DATA_OFFSET = C_WORDS * 4;

/**
 * The worker's program (plain JavaScript, evaluated in the worker thread). It reaches Node's
 * modules through process.getBuiltinModule like the rest of the kernel, so a browser bundle holds
 * no require() of a Node built-in even as text.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { createCipheriv } = process.getBuiltinModule('node:crypto');
const { sab, slotBytes, ringSlots, dataOffset } = workerData;
const ctrl = new Int32Array(sab, 0, dataOffset / 4);
const data = new Uint8Array(sab, dataOffset);
const zeros = new Uint8Array(slotBytes);
parentPort.on('message', (job) => {
  if (job.sleepMs) return void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, job.sleepMs); // tests
  Atomics.store(ctrl, ${C_BUSY}, 1);
  try {
    const streams = job.keys.map((key, s) => {
      const iv = new Uint8Array(16);
      new DataView(iv.buffer).setUint32(0, Math.floor(job.startByte / 64), true);
      const c = createCipheriv('chacha20', key, iv);
      key.fill(0);
      if (job.startByte % 64) c.update(zeros.subarray(0, job.startByte % 64)).fill(0);
      return { c, left: job.bytes, next: 0 };
    });
    let pending = streams.length;
    while (pending > 0 && Atomics.load(ctrl, ${C_JOB}) === job.id) {
      const kick = Atomics.load(ctrl, ${C_KICK});
      let filled = false;
      for (let s = 0; s < streams.length; s++) {
        const st = streams[s];
        if (st.left === 0) continue;
        if (Atomics.load(ctrl, ${C_TAKEN} + s) === 1) {
          st.left = 0;
          pending--;
          continue;
        }
        const state = ${C_STATE} + s * ringSlots + st.next;
        if (Atomics.load(ctrl, state) !== 0) continue;
        const n = Math.min(slotBytes, st.left);
        const piece = st.c.update(zeros.subarray(0, n));
        data.set(piece, (s * ringSlots + st.next) * slotBytes);
        piece.fill(0);
        Atomics.store(ctrl, state, 1);
        Atomics.notify(ctrl, state);
        st.left -= n;
        st.next = (st.next + 1) % ringSlots;
        if (st.left === 0) pending--;
        filled = true;
      }
      if (!filled) Atomics.wait(ctrl, ${C_KICK}, kick, 50);
    }
  } finally {
    Atomics.store(ctrl, ${C_BUSY}, 0);
    Atomics.notify(ctrl, ${C_BUSY});
  }
});
`;

/** The slice of node:worker_threads used here. */
interface WorkerHandle {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  unref(): void;
  on(event: 'error' | 'exit', listener: () => void): void;
  terminate(): Promise<number>;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => WorkerHandle;
}

interface Pool {
  readonly worker: WorkerHandle;
  readonly ctrl: Int32Array;
  readonly data: Uint8Array;
  job: number;
  broken: boolean;
}

let pool: Pool | null | undefined;

/** Whether this runtime can run the worker: node:crypto with chacha20, worker_threads, ≥ 2 CPUs. */
export function keystreamWorkerAvailable(): boolean {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof p?.getBuiltinModule !== 'function' || !nodeChaCha20()) return false;
  const wt = p.getBuiltinModule('node:worker_threads') as WorkerThreads | undefined;
  const os = p.getBuiltinModule('node:os') as { availableParallelism?: () => number } | undefined;
  return typeof wt?.Worker === 'function' && (os?.availableParallelism?.() ?? 1) >= 2;
}

/** Starts the process-wide worker (once; later calls return it). Undefined when it cannot run. */
export function startKeystreamWorker(): Pool | undefined {
  if (pool !== undefined) return pool && !pool.broken ? pool : undefined;
  pool = null;
  if (!keystreamWorkerAvailable()) return undefined;
  try {
    const wt = (
      globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } }
    ).process.getBuiltinModule('node:worker_threads') as WorkerThreads;
    const sab = new SharedArrayBuffer(DATA_OFFSET + MAX_WORKER_STREAMS * RING_SLOTS * SLOT_BYTES);
    const worker = new wt.Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { sab, slotBytes: SLOT_BYTES, ringSlots: RING_SLOTS, dataOffset: DATA_OFFSET },
    });
    worker.unref(); // never keeps the process alive
    const created: Pool = {
      worker,
      ctrl: new Int32Array(sab, 0, C_WORDS),
      data: new Uint8Array(sab, DATA_OFFSET),
      job: 0,
      broken: false,
    };
    const fail = () => {
      created.broken = true;
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    pool = created;
    return created;
  } catch {
    return undefined;
  }
}

/** Stops the worker (tests use it to check the fallback; the next start makes a new one). */
export async function stopKeystreamWorker(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) {
    p.broken = true;
    await p.worker.terminate();
  }
}

/** A set of PRG streams read forward into a destination, made by the worker. */
export interface WorkerStreams {
  /** dst[at, at + bytes) ← stream s's next `bytes` bytes. */
  read(s: number, dst: Uint8Array, at: number, bytes: number): void;
  /** Stops the job, waits for the worker and zeroes every slot. Always call it (in a finally). */
  close(): void;
}

/**
 * Starts a worker job: PRG(key_s) = ChaCha20(key_s, nonce 0) from byte `startByte`, `bytes` bytes
 * each. Undefined when the worker is not running or there are more than MAX_WORKER_STREAMS keys.
 */
export function openWorkerStreams(
  keys: readonly Uint8Array[],
  startByte: number,
  bytes: number,
): WorkerStreams | undefined {
  const p = startKeystreamWorker();
  if (!p || keys.length === 0 || keys.length > MAX_WORKER_STREAMS) return undefined;
  if (cooldown > 0) {
    cooldown--;
    return undefined;
  }
  const { ctrl, data } = p;
  if (!waitIdle(p)) return undefined;
  ctrl.fill(0, C_TAKEN, C_WORDS);
  const job = ++p.job;
  Atomics.store(ctrl, C_JOB, job);
  const copies = keys.map((k) => k.slice()); // moved to the worker, which zeroes them once keyed
  p.worker.postMessage(
    { id: job, keys: copies, startByte, bytes },
    copies.map((c) => c.buffer),
  );
  const slot = keys.map(() => 0); // next slot per stream
  const used = keys.map(() => 0); // bytes already taken from that slot
  const read = keys.map(() => startByte); // stream bytes read so far (where a take-over starts)
  const own: Array<NodeChaChaStream | undefined> = keys.map(() => undefined); // streams the caller makes
  const takeOver = (s: number) => {
    Atomics.store(ctrl, C_TAKEN + s, 1); // the worker makes no more of it
    cooldown = COOLDOWN_CALLS;
    stats.takeOvers++;
    own[s] = new NodeChaChaStream(nodeChaCha20()!, keys[s], new Uint8Array(12), read[s]);
  };
  return {
    read(s, dst, at, n) {
      let done = 0;
      while (done < n && !own[s]) {
        const state = C_STATE + s * RING_SLOTS + slot[s];
        const late = Atomics.load(ctrl, state) !== 1;
        if (late && (p.broken || Atomics.wait(ctrl, state, 0, STEAL_MS) === 'timed-out')) {
          takeOver(s);
          break;
        }
        const base = (s * RING_SLOTS + slot[s]) * SLOT_BYTES;
        const m = Math.min(n - done, SLOT_BYTES - used[s]);
        dst.set(data.subarray(base + used[s], base + used[s] + m), at + done);
        done += m;
        stats.bytesFromWorker += m;
        read[s] += m;
        used[s] += m;
        if (used[s] === SLOT_BYTES) {
          used[s] = 0;
          slot[s] = (slot[s] + 1) % RING_SLOTS;
          Atomics.store(ctrl, state, 0);
          Atomics.add(ctrl, C_KICK, 1);
          Atomics.notify(ctrl, C_KICK);
        }
      }
      if (own[s] && done < n) {
        own[s].readInto(dst, at + done, n - done);
        read[s] += n - done;
      }
    },
    close() {
      Atomics.store(ctrl, C_JOB, -job); // cancels the job: the worker stops before its next slot
      Atomics.add(ctrl, C_KICK, 1);
      Atomics.notify(ctrl, C_KICK);
      if (!waitIdle(p)) drop(p);
      data.fill(0, 0, keys.length * RING_SLOTS * SLOT_BYTES);
      ctrl.fill(0, C_TAKEN, C_WORDS);
    },
  };
}

/** Waits until the worker runs no job; false if it is broken or does not stop in time. */
function waitIdle(p: Pool): boolean {
  if (p.broken) return false;
  if (Atomics.load(p.ctrl, C_BUSY) === 1) Atomics.wait(p.ctrl, C_BUSY, 1, WAIT_MS);
  return Atomics.load(p.ctrl, C_BUSY) === 0;
}

/**
 * Gives up on a worker that failed or stalled: it is terminated and never used again, and its
 * slots are zeroed once more after it has stopped (it may have been writing one).
 */
function drop(p: Pool): void {
  p.broken = true;
  void p.worker.terminate().then(
    () => p.data.fill(0),
    () => p.data.fill(0),
  );
}

/** For tests: keeps the worker from starting its next job for `ms` milliseconds (it looks idle meanwhile). */
export function pauseKeystreamWorkerForTests(ms: number): void {
  startKeystreamWorker()?.worker.postMessage({ sleepMs: ms });
}

/** For tests: counters since the process started, and a reset of the cool-down after a take-over. */
export function workerStatsForTests(resetCooldown = false): { bytesFromWorker: number; takeOvers: number } {
  if (resetCooldown) cooldown = 0;
  return { ...stats };
}

/** For tests: whether every slot of the shared buffer is zero (no keystream left behind). */
export function workerSlotsZeroed(): boolean {
  return pool ? pool.data.every((b) => b === 0) : true;
}
