/**
 * @module cli/static-files
 * A tiny read-only static file handler for `shardwire serve-example`: GET/HEAD only, files
 * under the given roots only (no `..`, no symlink escapes past the resolved root), a content type
 * per extension (`application/wasm` lets browsers compile the kernel while it downloads).
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** URL prefix → directory on disk. */
export type Mounts = readonly (readonly [prefix: string, dir: string])[];

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
}

/** Serves one request from `mounts` (longest prefix first); never throws. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, mounts: Mounts): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return send(res, 400, 'bad path');
    }
    if (path.includes('\0') || path.split('/').includes('..')) return send(res, 400, 'bad path');
    for (const [prefix, dir] of [...mounts].sort((a, b) => b[0].length - a[0].length)) {
      if (!path.startsWith(prefix)) continue;
      let rel = path.slice(prefix.length);
      if (rel === '' || rel.endsWith('/')) rel += 'index.html';
      const root = await realpath(dir).catch(() => undefined);
      if (root === undefined) return send(res, 404, `not found: ${dir} does not exist`);
      const file = await realpath(join(root, rel)).catch(() => undefined);
      if (file === undefined || !(file === root || file.startsWith(root + sep))) return send(res, 404, 'not found');
      const st = await stat(file);
      if (!st.isFile()) return send(res, 404, 'not found');
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': st.size,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
      return;
    }
    send(res, 404, 'not found');
  } catch {
    res.destroy();
  }
}
