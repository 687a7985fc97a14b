#!/usr/bin/env node
// `npm run web`: builds the renderer in browser mode (vite) and serves it on 127.0.0.1 only, with
// the cross-origin isolation headers (COOP same-origin + COEP require-corp) that give
// onnxruntime-web SharedArrayBuffer and so its WASM threads. Only requests addressed to a
// loopback name are answered (a page whose own host name resolves to 127.0.0.1, "DNS
// rebinding", gets nothing), and only files whose real path is inside dist-web/.
//   PORT=5199 (default)   --no-build (or HAZELESS_WEB_SKIP_BUILD=1) serves the existing dist-web/
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dist = join(root, 'dist-web');
const host = '127.0.0.1';
const port = Number(process.env.PORT ?? 5199);
const skipBuild = process.argv.includes('--no-build') || process.env.HAZELESS_WEB_SKIP_BUILD === '1';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

// Same policy as the <meta> in renderer/index.html and electron/web-security.ts.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' blob: data:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "connect-src 'self' blob: data:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when the Host header names this machine's loopback interface (any port). */
function isLoopbackHost(hostHeader) {
  return typeof hostHeader === 'string' && LOOPBACK_NAMES.has(hostHeader.toLowerCase().replace(/:\d+$/, ''));
}

if (!skipBuild) {
  const { build } = await import('vite');
  await build({ configFile: join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}
const realDist = await realpath(dist);

/** The file for a URL path, only ever inside dist-web/, symlinks resolved. */
async function fileFor(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  if (path.endsWith('/')) path += 'index.html';
  const inside = (p) => p === realDist || p.startsWith(realDist + sep);
  const requested = resolve(realDist, `.${path}`);
  if (!inside(requested)) return null;
  try {
    const file = await realpath(requested);
    if (!inside(file)) return null;
    const s = await stat(file);
    return s.isFile() ? { file, size: s.size } : null;
  } catch {
    return null;
  }
}

const server = createServer(async (req, res) => {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  if (!isLoopbackHost(req.headers.host)) {
    res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Misdirected request');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const found = await fileFor(req.url ?? '/');
  if (!found) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(found.file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': found.size,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(found.file).pipe(res);
});

server.on('error', (e) => {
  console.error(e.code === 'EADDRINUSE' ? `Port ${port} is in use: set PORT to another one.` : e.message);
  process.exit(1);
});

server.listen(port, host, () => {
  console.log(`Hazeless (browser mode) at http://${host}:${server.address().port}/`);
});
