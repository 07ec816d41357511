// Test helpers for the agent's HTTP API: a raw HTTP client (TCP or Unix socket) and identity
// files in a private temp directory.
import { request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Identity, publicKeyToBase64url } from '../../src/crypto/identity.ts';
import { saveIdentity } from '../../src/crypto/identity-file.ts';
import type { Agent } from '../../src/agent/index.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  json(): Record<string, any>;
}

export interface CallOptions {
  json?: unknown;
  body?: Uint8Array;
  headers?: Record<string, string>;
  /** Token to send (default: the agent's); null sends none. */
  token?: string | null;
}

/** One HTTP request to `agent`; resolves with status, headers and the whole body. */
export async function call(agent: Agent, method: string, path: string, o: CallOptions = {}): Promise<Reply> {
  const token = o.token === undefined ? (await readFile(agent.tokenFile, 'utf8')).trim() : o.token;
  const body = o.json !== undefined ? new TextEncoder().encode(JSON.stringify(o.json)) : o.body;
  const headers: Record<string, string | number> = { ...o.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (o.json !== undefined) headers['content-type'] = 'application/json';
  if (body !== undefined && headers['content-length'] === undefined) headers['content-length'] = body.length;
  const target =
    agent.socketPath !== undefined
      ? { socketPath: agent.socketPath }
      : { host: new URL(agent.url).hostname, port: Number(new URL(agent.url).port) };
  return new Promise((resolve, reject) => {
    const req = request({ ...target, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const all = new Uint8Array(Buffer.concat(chunks));
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: all,
          json: () => JSON.parse(new TextDecoder().decode(all)),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });
}

/** Headers of a vector body. */
export function vectorHeaders(
  v: Float32Array | Float64Array,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    'content-type': 'application/octet-stream',
    'shardwire-dtype': v instanceof Float32Array ? 'float32' : 'float64',
    'shardwire-shape': String(v.length),
    ...extra,
  };
}

export function bytesOf(v: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export interface IdentityFiles {
  dir: string;
  files: string[];
  peers: { id: string; publicKey: string }[];
  remove(): Promise<void>;
}

/** `n` identity files (mode 0600) in a fresh temp directory, with their public parts. */
export async function identityFiles(n: number): Promise<IdentityFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'sw-agent-ids-'));
  const files: string[] = [];
  const peers: { id: string; publicKey: string }[] = [];
  for (let i = 0; i < n; i++) {
    const identity = await Identity.generate();
    const file = join(dir, `id-${i}.json`);
    await saveIdentity(identity, file);
    files.push(file);
    peers.push({ id: identity.id, publicKey: publicKeyToBase64url(identity.publicKey) });
    identity.zeroise();
  }
  return { dir, files, peers, remove: () => rm(dir, { recursive: true, force: true }) };
}
