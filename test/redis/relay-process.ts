// A relay in its own process (bin/shardwire.mjs relay) on a free port over a Redis backplane, for
// the suites that SIGKILL relays.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/shardwire.mjs', import.meta.url));

export interface RelayProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts a relay process over `backplaneUrl`; `children` collects it for the suite's cleanup. */
export async function relayProcess(backplaneUrl: string, children: ChildProcess[]): Promise<RelayProcess> {
  const child = spawn(process.execPath, [BIN, 'relay', '--port', '0', '--backplane', backplaneUrl, '--log-level', 'error'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${out}`)));
  });
  return { child, url };
}
