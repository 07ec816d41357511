/**
 * @module agent/request-body
 * Reading request bodies with a size limit checked before any byte is buffered (the declared
 * Content-Length, like ws checks a frame header). A binary body lands in one fresh, 8-byte
 * aligned buffer of exactly its declared length: the only copy on the agent's fast path.
 */
import type { IncomingMessage } from 'node:http';
import { ShardwireError } from '../errors.ts';

/** Largest JSON body the agent reads (a config plus a roster of 10,000 members fits). */
export const MAX_JSON_BYTES = 4 * 1024 * 1024;

/**
 * The declared Content-Length, checked against `maxBytes` before any byte is read.
 * @throws {ShardwireError} E_BODY_TOO_LARGE; E_BAD_ARGUMENT when malformed, or missing and `required`.
 * @example const n = contentLength(req, 64 << 20, true)
 */
export function contentLength(req: IncomingMessage, maxBytes: number, required: boolean): number | undefined {
  const text = req.headers['content-length'];
  if (text === undefined) {
    if (required) {
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        'a vector body needs a Content-Length header (chunked bodies are not accepted); send the bytes with ' +
          'their length',
        { field: 'content-length' },
      );
    }
    return undefined;
  }
  if (!/^\d{1,15}$/.test(text))
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `"Content-Length" expected a byte count, got ${JSON.stringify(text.slice(0, 20))}`,
      { field: 'content-length' },
    );
  const n = Number(text);
  if (n > maxBytes) {
    throw new ShardwireError(
      'E_BODY_TOO_LARGE',
      `the body declares ${n} bytes, more than this agent accepts (${maxBytes}); send less or start the agent ` +
        `with a larger --max-body`,
      { bytes: n, maxBytes },
    );
  }
  return n;
}

/**
 * Reads the whole body into a fresh buffer (aligned: it starts its own ArrayBuffer).
 * @throws {ShardwireError} E_BODY_TOO_LARGE past `maxBytes` (declared or streamed); E_BAD_ARGUMENT
 *   for a missing Content-Length when `requireLength`, or a body shorter than declared.
 * @example const bytes = await readBody(req, 64 << 20, { requireLength: true })
 */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
  o: { requireLength?: boolean } = {},
): Promise<Uint8Array> {
  let declared: number | undefined;
  try {
    declared = contentLength(req, maxBytes, o.requireLength === true);
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    let out = new Uint8Array(declared ?? 64 * 1024);
    let at = 0;
    let failed = false;
    const fail = (e: ShardwireError) => {
      if (failed) return;
      failed = true;
      reject(e);
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      if (at + chunk.length > (declared ?? maxBytes)) {
        return fail(
          new ShardwireError(
            'E_BODY_TOO_LARGE',
            `the body is longer than ${declared ?? maxBytes} bytes; send less or start the agent with a larger ` +
              `--max-body`,
            { maxBytes },
          ),
        );
      }
      if (at + chunk.length > out.length) {
        const grown = new Uint8Array(Math.min(maxBytes, Math.max(out.length * 2, at + chunk.length)));
        grown.set(out.subarray(0, at));
        out = grown;
      }
      out.set(chunk, at);
      at += chunk.length;
    });
    req.on('end', () => {
      if (declared !== undefined && at !== declared) {
        return fail(
          new ShardwireError('E_BAD_ARGUMENT', `the body ended after ${at} of ${declared} declared bytes`, {
            received: at,
            declared,
          }),
        );
      }
      if (!failed) resolve(at === out.length ? out : out.subarray(0, at));
    });
    const cut = () =>
      fail(new ShardwireError('E_BAD_ARGUMENT', 'the request body was cut off (the connection closed)'));
    req.on('error', cut);
    req.on('close', () => {
      if (!req.complete) cut();
    });
  });
}

/**
 * Reads a JSON object body (at most {@link MAX_JSON_BYTES}); an empty body reads as `{}`.
 * @throws {ShardwireError} E_BAD_ARGUMENT for invalid JSON or a non-object; E_BODY_TOO_LARGE.
 * @example const o = await readJson(req)
 */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const bytes = await readBody(req, MAX_JSON_BYTES);
  if (bytes.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      'the request body is not valid UTF-8 JSON; send a JSON object with Content-Type application/json',
    );
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ShardwireError(
      'E_BAD_ARGUMENT',
      `the request body expected a JSON object, got ${Array.isArray(v) ? 'an array' : typeof v}`,
    );
  }
  return v as Record<string, unknown>;
}
