// Security policy of the window, as plain data so it can be tested without Electron:
// the Content-Security-Policy, the cross-origin isolation headers (onnxruntime-web needs
// SharedArrayBuffer for its 2 WASM threads), which URLs may load, and which permissions pass.

export const APP_SCHEME = 'app';
export const APP_HOST = 'hazeless';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Strict CSP: everything from the app's own origin, no remote hosts at all.
 * 'wasm-unsafe-eval' lets onnxruntime-web and the engine's kernels compile their WASM; blob: workers are how it and Vite
 * spawn some workers; blob:/data: images are decoded previews and thumbnails. Inline style
 * attributes are allowed because Svelte sets `style=` for dynamic layout; inline *scripts* are not.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'", 'blob:'],
  'img-src': ["'self'", 'blob:', 'data:'],
  'style-src': ["'self'", "'unsafe-inline'"],
  'font-src': ["'self'"],
  'connect-src': ["'self'", 'blob:', 'data:'],
  'media-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-src': ["'none'"],
  'frame-ancestors': ["'none'"],
};

export function buildCsp(directives: Readonly<Record<string, readonly string[]>> = CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** Headers on every response of the app:// protocol. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': buildCsp(),
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

/**
 * The window may only ever show the app itself: app://hazeless/..., or in development the
 * electron-vite dev server origin. Everything else (links, drags of URLs, redirects) is refused.
 */
export function isAllowedAppUrl(url: string, devServerUrl?: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) return true;
  if (devServerUrl) {
    try {
      const dev = new URL(devServerUrl);
      const local = dev.hostname === 'localhost' || dev.hostname === '127.0.0.1';
      return local && parsed.origin === dev.origin;
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Permissions a page may get. The editor needs none of camera, microphone, geolocation,
 * notifications, MIDI, HID, serial, USB, etc. Sanitized clipboard writes let "copy" work.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string, devServerUrl?: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAllowedAppUrl(requestingUrl, devServerUrl);
}

/**
 * Network filter for every request the session makes: the app's own scheme, in-memory
 * blob:/data: URLs and DevTools; in development also the local dev server and its HMR socket.
 * Anything else (http(s) anywhere, file:) is cancelled: the app never needs the network.
 */
export function isAllowedRequestUrl(url: string, devServerUrl?: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'blob:' || parsed.protocol === 'data:' || parsed.protocol === 'devtools:') return true;
  if (isAllowedAppUrl(url, devServerUrl)) return true;
  if (devServerUrl && (parsed.protocol === 'ws:' || parsed.protocol === 'wss:')) {
    try {
      const dev = new URL(devServerUrl);
      return parsed.hostname === dev.hostname && parsed.port === dev.port;
    } catch {
      return false;
    }
  }
  return false;
}
