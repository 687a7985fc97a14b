// Serves the built renderer under app://hazeless/ (a privileged, secure custom scheme) so the
// page gets real HTTP-like headers: CSP and COOP/COEP. Only files inside the renderer build
// folder are served; anything else is a 404 that reveals nothing.

import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isWithin } from './path-guard';
import { APP_HOST, APP_SCHEME, securityHeaders } from './web-security';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Maps an app:// URL to a file inside `root`, or null if it is not one we serve. */
export async function resolveAppFile(url: string, root: string): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const realRoot = await realpath(root);
  const candidate = path.resolve(realRoot, `.${path.posix.normalize(pathname)}`);
  if (!isWithin(realRoot, candidate)) return null;
  try {
    const real = await realpath(candidate);
    if (!isWithin(realRoot, real) || !(await stat(real)).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

/** The Response for one app:// request (used by `protocol.handle` in main). */
export async function serveAppRequest(url: string, root: string, method = 'GET'): Promise<Response> {
  const headers = securityHeaders();
  if (method !== 'GET' && method !== 'HEAD') {
    return new Response(null, { status: 405, headers });
  }
  const file = await resolveAppFile(url, root);
  if (!file) return new Response('Not found', { status: 404, headers: { ...headers, 'Content-Type': 'text/plain' } });
  const body = method === 'HEAD' ? null : await readFile(file);
  return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': mimeType(file) } });
}
