import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAppFile, serveAppRequest } from '../../electron/app-protocol';
import { buildCsp, isAllowedAppUrl, isAllowedRequestUrl, isPermissionAllowed, securityHeaders } from '../../electron/web-security';

function parseCsp(csp: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) m.set(name, values);
  }
  return m;
}

describe('CSP and headers', () => {
  it('is strict: self only, wasm compile allowed, no remote hosts, no inline/eval scripts', () => {
    const csp = parseCsp(buildCsp());
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(csp.get('img-src')).toEqual(["'self'", 'blob:', 'data:']);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    for (const [name, values] of csp) {
      for (const v of values) {
        expect(v, `${name} ${v}`).not.toMatch(/^(https?:|wss?:|\*|'unsafe-eval'|file:)/);
        expect(v, `${name} ${v}`).not.toMatch(/\./); // no host names
      }
    }
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('sends cross-origin isolation headers (SharedArrayBuffer for WASM threads)', () => {
    const h = securityHeaders();
    expect(h['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(h['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(h['Content-Security-Policy']).toBe(buildCsp());
    expect(h['X-Content-Type-Options']).toBe('nosniff');
  });

  it('allows navigation only inside the app (and the local dev server in dev)', () => {
    expect(isAllowedAppUrl('app://hazeless/index.html')).toBe(true);
    expect(isAllowedAppUrl('app://evil/index.html')).toBe(false);
    expect(isAllowedAppUrl('https://example.com/')).toBe(false);
    expect(isAllowedAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedAppUrl('not a url')).toBe(false);
    expect(isAllowedAppUrl('http://localhost:5173/x', 'http://localhost:5173')).toBe(true);
    expect(isAllowedAppUrl('http://localhost:5174/x', 'http://localhost:5173')).toBe(false);
    expect(isAllowedAppUrl('http://example.com/', 'http://example.com')).toBe(false);
  });

  it('lets the session load only the app, in-memory URLs and DevTools', () => {
    for (const ok of ['app://hazeless/assets/x.js', 'blob:app://hazeless/123', 'data:image/png;base64,AA', 'devtools://devtools/bundled/x']) {
      expect(isAllowedRequestUrl(ok), ok).toBe(true);
    }
    for (const bad of ['https://cdn.jsdelivr.net/npm/onnxruntime-web/x.wasm', 'http://localhost:5173/', 'file:///etc/passwd', 'ws://localhost:5173/', 'app://other/x']) {
      expect(isAllowedRequestUrl(bad), bad).toBe(false);
    }
    expect(isAllowedRequestUrl('http://localhost:5173/src/main.ts', 'http://localhost:5173')).toBe(true);
    expect(isAllowedRequestUrl('ws://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isAllowedRequestUrl('ws://localhost:9999/', 'http://localhost:5173')).toBe(false);
  });

  it('denies permissions except the sanitized clipboard for the app itself', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'midi', 'openExternal', 'hid', 'serial', 'usb', 'fullscreen']) {
      expect(isPermissionAllowed(p, 'app://hazeless/index.html'), p).toBe(false);
    }
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://hazeless/index.html')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://example.com')).toBe(false);
  });
});

describe('app:// protocol', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'hazeless-proto-'));
    await mkdir(path.join(root, 'renderer', 'assets'), { recursive: true });
    await writeFile(path.join(root, 'renderer', 'index.html'), '<!doctype html><title>Hazeless</title>');
    await writeFile(path.join(root, 'renderer', 'assets', 'ort-wasm-simd-threaded.wasm'), Buffer.from([0, 97, 115, 109]));
    await writeFile(path.join(root, 'renderer', 'assets', 'app file.js'), 'export {}');
    await writeFile(path.join(root, 'secret.txt'), 'secret');
    await symlink(path.join(root, 'secret.txt'), path.join(root, 'renderer', 'leak.txt'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('serves renderer files with the right type and the security headers', async () => {
    const r = await serveAppRequest('app://hazeless/', path.join(root, 'renderer'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(r.headers.get('content-security-policy')).toBe(buildCsp());
    expect(await r.text()).toContain('Hazeless');
    const w = await serveAppRequest('app://hazeless/assets/ort-wasm-simd-threaded.wasm?v=1', path.join(root, 'renderer'));
    expect(w.headers.get('content-type')).toBe('application/wasm');
    expect(new Uint8Array(await w.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));
    const js = await serveAppRequest('app://hazeless/assets/app%20file.js', path.join(root, 'renderer'));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('never serves anything outside the renderer folder', async () => {
    const r = path.join(root, 'renderer');
    for (const url of [
      'app://hazeless/../secret.txt',
      'app://hazeless/%2e%2e/secret.txt',
      'app://hazeless/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://hazeless/..%2fsecret.txt',
      'app://hazeless/leak.txt',
      'app://hazeless/%00index.html',
      'app://hazeless/%E0%A4%A',
      'app://other/index.html',
      'file:///etc/passwd',
      'app://hazeless/assets',
      'app://hazeless/missing.js',
    ]) {
      expect(await resolveAppFile(url, r), url).toBeNull();
      const res = await serveAppRequest(url, r);
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain('secret');
    }
    expect((await serveAppRequest('app://hazeless/index.html', r, 'POST')).status).toBe(405);
  });
});
