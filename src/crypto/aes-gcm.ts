/**
 * @module crypto/aes-gcm
 * AES-256-GCM (NIST SP 800-38D, 12-byte nonce, 16-byte tag) for crypto/aead.ts, on the fastest
 * implementation this runtime has for each direction. Both implementations produce the same
 * bytes; tests check each against the published vectors and against each other.
 * - WebCrypto `crypto.subtle` (browsers expose it in secure contexts only; Node has it too).
 * - Node: `node:crypto` (OpenSSL, AES-NI), reached through the global process object's
 *   `getBuiltinModule` (Node ≥ 20.16) when it exists, so this file has no Node import and a
 *   browser simply gets WebCrypto.
 * Measured (bench:aead, 4 MiB, two runs of 15, medians): open 2.1–2.5 ms with node:crypto vs 3.2–3.7 ms with WebCrypto, which copies the input and
 * answers through the thread pool (so the coordinator's time per partial also included whatever
 * the event loop ran meanwhile); seal shows no consistent winner (WebCrypto 2.8–2.9 ms, node:crypto 2.4–3.6 ms). So on Node a payload is opened with node:crypto
 * and sealed with WebCrypto, the path browsers share; `npm run bench:aead` prints all four.
 */
import { ShardwireError } from '../errors.ts';
import { concatBytes } from './_encoding.ts';

/** One AES-256-GCM implementation. `decrypt` returns undefined when authentication fails. */
export interface AesGcmBackend {
  /** Which implementation seals and which opens, e.g. `webcrypto` or `seal webcrypto, open node:crypto`. */
  readonly name: string;
  encrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  decrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | undefined>;
}

const TAG_BYTES = 16;

/** The slice of node:crypto used here (typed locally: no Node types on the browser path). */
interface NodeCipher {
  setAAD(aad: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}
interface NodeCrypto {
  createCipheriv(alg: string, key: Uint8Array, iv: Uint8Array, o: { authTagLength: number }): NodeCipher & { getAuthTag(): Uint8Array };
  createDecipheriv(alg: string, key: Uint8Array, iv: Uint8Array, o: { authTagLength: number }): NodeCipher & { setAuthTag(tag: Uint8Array): unknown };
}

function nodeCrypto(): NodeCrypto | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const m = typeof p?.getBuiltinModule === 'function' ? (p.getBuiltinModule('node:crypto') as NodeCrypto | undefined) : undefined;
  return typeof m?.createDecipheriv === 'function' ? m : undefined;
}

function nodeBackend(c: NodeCrypto): AesGcmBackend {
  return {
    name: 'node:crypto',
    async encrypt(key, nonce, plaintext, aad) {
      const cipher = c.createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      return concatBytes(cipher.update(plaintext), cipher.final(), cipher.getAuthTag());
    },
    async decrypt(key, nonce, sealed, aad) {
      if (sealed.length < TAG_BYTES) return undefined;
      const decipher = c.createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
      try {
        decipher.final(); // throws when the tag does not verify
      } catch {
        body.fill(0); // never leave unauthenticated plaintext behind
        return undefined;
      }
      // OpenSSL's output may sit at any offset of a shared buffer; hand back an owned, aligned copy
      return body.byteOffset % 8 === 0 && body.byteLength === body.buffer.byteLength ? new Uint8Array(body.buffer, 0, body.byteLength) : concatBytes(body); // a fresh ArrayBuffer at offset 0
    },
  };
}

/** WebCrypto wants ArrayBuffer-backed views; ours are, but the types do not say so. */
function buf(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b as Uint8Array<ArrayBuffer>;
}

function webBackend(s: SubtleCrypto): AesGcmBackend {
  const params = (nonce: Uint8Array, aad: Uint8Array) => ({ name: 'AES-GCM', iv: buf(nonce.slice()), additionalData: buf(aad), tagLength: TAG_BYTES * 8 });
  return {
    name: 'webcrypto',
    async encrypt(key, nonce, plaintext, aad) {
      const k = await s.importKey('raw', buf(key), { name: 'AES-GCM' }, false, ['encrypt']);
      return new Uint8Array(await s.encrypt(params(nonce, aad), k, buf(plaintext)));
    },
    async decrypt(key, nonce, sealed, aad) {
      const k = await s.importKey('raw', buf(key), { name: 'AES-GCM' }, false, ['decrypt']);
      try {
        return new Uint8Array(await s.decrypt(params(nonce, aad), k, buf(sealed)));
      } catch {
        return undefined;
      }
    },
  };
}

/** Every implementation this runtime has: node:crypto first, then WebCrypto (tests run each). */
export function aesGcmBackends(): AesGcmBackend[] {
  const node = nodeCrypto();
  const s = globalThis.crypto?.subtle;
  return [...(node ? [nodeBackend(node)] : []), ...(s ? [webBackend(s)] : [])];
}

/** Seal with WebCrypto and open with node:crypto where both exist (measured above), else the one there is. */
export function fastestAesGcm(backends: readonly AesGcmBackend[]): AesGcmBackend | undefined {
  const sealer = backends.find((b) => b.name === 'webcrypto') ?? backends[0];
  const opener = backends.find((b) => b.name === 'node:crypto') ?? backends[0];
  if (sealer === undefined || opener === undefined) return undefined;
  if (sealer === opener) return sealer;
  return { name: `seal ${sealer.name}, open ${opener.name}`, encrypt: sealer.encrypt, decrypt: opener.decrypt };
}

let chosen: AesGcmBackend | null | undefined;

/** The backend aead.ts uses, or undefined when this runtime has no AES-GCM at all. */
export function aesGcm(): AesGcmBackend | undefined {
  if (chosen === undefined) chosen = fastestAesGcm(aesGcmBackends()) ?? null;
  return chosen ?? undefined;
}

/** The backend, or E_UNSUPPORTED naming what to do instead. */
export function requireAesGcm(what: string): AesGcmBackend {
  const b = aesGcm();
  if (b === undefined) throw new ShardwireError('E_UNSUPPORTED', `${what} needs AES-256-GCM, but this runtime has neither node:crypto nor WebCrypto (crypto.subtle; browsers expose it only in secure contexts); use xchacha20-poly1305`, { algorithm: 'aes-256-gcm' });
  return b;
}
