/**
 * Serves the built web app from one directory: known content types, no
 * directory traversal (the resolved path must stay inside the root), `/` is
 * index.html, and a short placeholder page when the app is not built.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley relay</title></head>
<body><h1>Parley relay</h1><p>The relay is running, but the web app is not built.
Run <code>npm run build</code>.</p></body></html>
`;

export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
): Promise<void> {
  const rootAbs = resolve(root);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    res.writeHead(400, headers).end('bad request');
    return;
  }
  if (pathname.includes('\0')) {
    res.writeHead(400, headers).end('bad request');
    return;
  }
  if (pathname.endsWith('/')) pathname += 'index.html';
  const file = resolve(join(rootAbs, pathname));
  if (file !== rootAbs && !file.startsWith(rootAbs + sep)) {
    res.writeHead(404, headers).end('not found');
    return;
  }
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    if (pathname === '/index.html') {
      const rootInfo = await stat(rootAbs).catch(() => null);
      if (!rootInfo) {
        res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES['.html']! });
        res.end(req.method === 'HEAD' ? undefined : PLACEHOLDER);
        return;
      }
    }
    res
      .writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
      .end('not found');
    return;
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...headers,
    'Content-Type': type,
    'Content-Length': String(info.size),
    'Cache-Control': pathname === '/index.html' ? 'no-cache' : 'public, max-age=300',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
