// A relay in its own process over a Redis backplane, for the suites that SIGKILL relays.
import type { ChildProcess } from 'node:child_process';
import { startRelayProcess } from '../../scripts/relay-process.mjs';

export interface RelayProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts a relay process over `backplaneUrl`; `children` collects it for the suite's cleanup. */
export async function relayProcess(backplaneUrl: string, children: ChildProcess[]): Promise<RelayProcess> {
  const r = await startRelayProcess(['--backplane', backplaneUrl, '--log-level', 'error']);
  children.push(r.child);
  return r;
}
