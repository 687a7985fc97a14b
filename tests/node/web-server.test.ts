// scripts/web.mjs as a user runs it (`npm run web`), against a page that is not ours: a DNS-
// rebinding page reaches 127.0.0.1 under its own host name, and a symlink in the served folder
// could lead anywhere on disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let base: string;
let server: ChildProcess;
let port: number;

// A copy of the script beside its own dist-web/ (it serves `<script folder>/../dist-web`).
beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'hazeless-web-'));
  const dist = path.join(base, 'dist-web');
  await mkdir(path.join(base, 'scripts'));
  await mkdir(path.join(dist, 'assets'), { recursive: true });
  await copyFile(path.resolve('scripts/web.mjs'), path.join(base, 'scripts', 'web.mjs'));
  await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>Hazeless</title>');
  await writeFile(path.join(dist, 'assets', 'app.js'), 'console.log(1);');
  await writeFile(path.join(base, 'secret.txt'), 'outside the served folder');
  await symlink(path.join(base, 'secret.txt'), path.join(dist, 'leak.txt'));
  await symlink(base, path.join(dist, 'up'));
  await symlink(path.join(dist, 'assets', 'app.js'), path.join(dist, 'inner.js'));
  server = spawn(process.execPath, [path.join(base, 'scripts', 'web.mjs'), '--no-build'], { env: { ...process.env, PORT: '0' } });
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    server.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m && Number(m[1]) > 0) resolve(Number(m[1]));
    });
    server.on('exit', (code) => reject(new Error(`web.mjs exited (${code}): ${out}`)));
  });
});

afterAll(async () => {
  server?.kill();
  await rm(base, { recursive: true, force: true });
});

function get(urlPath: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, headers: { Host: host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An HTTP/1.0 request without a Host header (Node's client always sends one). */
function getWithoutHost(urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${urlPath} HTTP/1.0\r\n\r\n`));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(text.split('\r\n')[0]));
    socket.on('error', reject);
  });
}

describe('scripts/web.mjs', () => {
  it('answers requests addressed to a loopback name', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost', `LOCALHOST:${port}`]) {
      const r = await get('/', host);
      expect(r.status, host).toBe(200);
      expect(r.body).toContain('Hazeless');
    }
  });

  it('answers no other host name (DNS rebinding), and no request without one', async () => {
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`, `192.168.1.5:${port}`, `0.0.0.0:${port}`]) {
      const r = await get('/', host);
      expect(r.status, host).toBe(421);
      expect(r.body, host).not.toContain('Hazeless');
    }
    expect(await getWithoutHost('/')).toMatch(/^HTTP\/1\.[01] 4\d\d/);
  });

  it('serves files inside its folder, never through a symlink that leads out of it', async () => {
    const host = `127.0.0.1:${port}`;
    expect(await get('/assets/app.js', host)).toEqual({ status: 200, body: 'console.log(1);' });
    expect((await get('/inner.js', host)).status).toBe(200);
    for (const p of ['/leak.txt', '/up/secret.txt', '/../secret.txt', '/%2e%2e/secret.txt']) {
      const r = await get(p, host);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain('outside');
    }
  });
});

// The browser-mode build that web.mjs serves (checked when it has been built).
const DIST = path.resolve('dist-web');
describe.skipIf(!existsSync(path.join(DIST, 'index.html')))('dist-web/ (browser-mode build)', () => {
  it('ships without source maps', async () => {
    const files = (await readdir(DIST, { recursive: true })) as string[];
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of files.filter((x) => x.endsWith('.js'))) {
      expect(await readFile(path.join(DIST, f), 'utf8'), f).not.toMatch(/sourceMappingURL=/);
    }
  });
});
