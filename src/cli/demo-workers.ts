/**
 * @module cli/demo-workers
 * Spawns demo client processes (cli/demo-client: the compiled .js on plain Node from the package,
 * the .ts under tsx from a checkout) and reaps them. Each child gets
 * its start message, identity included, over the IPC pipe. A child exits when the pipe closes,
 * so none outlives its parent; {@link WorkerPool.close} waits for every exit and kills what
 * does not leave in time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ShardwireError } from '../errors.ts';
import type { WorkerReport, WorkerStart } from './demo-client.ts';

/** Running from the TypeScript sources (a checkout under tsx) rather than the compiled dist/. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER = fileURLToPath(new URL(FROM_SOURCE ? './demo-client.ts' : './demo-client.js', import.meta.url));
/** tsx's loader (sources only), resolved from this package so the demo runs from any directory. */
const EXEC_ARGV = FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : [];
/** How long a child may take to leave after its pipe is closed before it is killed. */
const EXIT_GRACE_MS = 3000;

/** Running client processes. */
export interface WorkerPool {
  readonly children: readonly ChildProcess[];
  /** Every report received so far, in arrival order. */
  readonly reports: WorkerReport[];
  /** Rejects when a client reports an error or exits with a non-zero code. Never resolves. */
  readonly failed: Promise<never>;
  /** Resolves once `test(reports)` holds, or after `timeoutMs` (resolving false). */
  until(test: (reports: readonly WorkerReport[]) => boolean, timeoutMs: number): Promise<boolean>;
  /**
   * Waits up to `waitMs` for the children to finish on their own, then closes every pipe, waits
   * for every exit (killing stragglers after a grace period) and resolves with the exit codes.
   */
  close(waitMs?: number): Promise<(number | null)[]>;
}

/** Forks one client process per start message. */
export function spawnWorkers(starts: readonly WorkerStart[], onReport?: (r: WorkerReport) => void): WorkerPool {
  const reports: WorkerReport[] = [];
  let fail!: (e: ShardwireError) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const children: ChildProcess[] = [];
  const watchers = new Set<() => void>();
  const exits: Promise<number | null>[] = [];
  let closing = false;
  for (const start of starts) {
    const child = fork(WORKER, [], { execArgv: EXEC_ARGV, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
    child.on('message', (m: WorkerReport) => {
      reports.push(m);
      onReport?.(m);
      for (const w of watchers) w();
      if (m.type === 'error') fail(new ShardwireError('E_ABORTED', `client ${m.index} failed: ${m.message}`, { index: m.index, code: m.code }));
    });
    exits.push(new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!closing && code !== 0 && !start.drop) fail(new ShardwireError('E_ABORTED', `client process ${start.index} exited with ${code ?? signal}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`, { index: start.index }));
        resolve(code);
      });
      child.once('error', (e) => {
        fail(new ShardwireError('E_ABORTED', `client process ${start.index} could not start: ${e.message}`, { index: start.index }));
        resolve(null);
      });
    }));
    child.send(start);
    children.push(child);
  }
  return {
    children,
    reports,
    failed,
    until(test, timeoutMs) {
      if (test(reports)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const finish = (ok: boolean) => {
          watchers.delete(check);
          clearTimeout(timer);
          resolve(ok);
        };
        const check = () => test(reports) && finish(true);
        const timer = setTimeout(() => finish(false), timeoutMs);
        watchers.add(check);
      });
    },
    async close(waitMs = 0) {
      let wait: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.all(exits), new Promise((r) => (wait = setTimeout(r, waitMs)))]);
      clearTimeout(wait);
      closing = true;
      for (const c of children) if (c.connected) c.disconnect();
      const timer = setTimeout(() => {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }, EXIT_GRACE_MS);
      try {
        return await Promise.all(exits);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
