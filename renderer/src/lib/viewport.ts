/**
 * Viewer geometry: where the photo sits on screen. `screen = offset + image * scale`, with image
 * coordinates in full-resolution pixels. Pure, so zoom-to-cursor and panning are unit-tested.
 */

export interface Size {
  width: number;
  height: number;
}

export interface View {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export interface PixelRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 8;

/** Scale that shows the whole photo inside the viewport (with a small margin). */
export function fitScale(image: Size, viewport: Size, margin = 16): number {
  const w = Math.max(1, viewport.width - 2 * margin);
  const h = Math.max(1, viewport.height - 2 * margin);
  return clampScale(Math.min(w / image.width, h / image.height));
}

export function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

export function centred(image: Size, viewport: Size, scale: number): View {
  return {
    scale,
    offsetX: (viewport.width - image.width * scale) / 2,
    offsetY: (viewport.height - image.height * scale) / 2,
  };
}

export function fitView(image: Size, viewport: Size): View {
  return centred(image, viewport, fitScale(image, viewport));
}

/** Zooms to `scale` keeping the image point under (x, y) on screen where it is. */
export function zoomAt(view: View, scale: number, x: number, y: number, image: Size, viewport: Size): View {
  const s = clampScale(scale);
  const ix = (x - view.offsetX) / view.scale;
  const iy = (y - view.offsetY) / view.scale;
  return clampPan({ scale: s, offsetX: x - ix * s, offsetY: y - iy * s }, image, viewport);
}

/**
 * Keeps the photo on screen: an axis smaller than the viewport is centred, a larger one may not
 * leave an empty gap at either edge.
 */
export function clampPan(view: View, image: Size, viewport: Size): View {
  const axis = (offset: number, imageLen: number, viewLen: number): number => {
    const len = imageLen * view.scale;
    if (len <= viewLen) return (viewLen - len) / 2;
    return Math.min(0, Math.max(viewLen - len, offset));
  };
  return {
    scale: view.scale,
    offsetX: axis(view.offsetX, image.width, viewport.width),
    offsetY: axis(view.offsetY, image.height, viewport.height),
  };
}

export function pan(view: View, dx: number, dy: number, image: Size, viewport: Size): View {
  return clampPan({ scale: view.scale, offsetX: view.offsetX + dx, offsetY: view.offsetY + dy }, image, viewport);
}

/** The full-resolution pixels visible on screen, whole pixels, inside the photo. */
export function visibleRect(view: View, image: Size, viewport: Size): PixelRect {
  const left = Math.max(0, Math.floor(-view.offsetX / view.scale));
  const top = Math.max(0, Math.floor(-view.offsetY / view.scale));
  const right = Math.min(image.width, Math.ceil((viewport.width - view.offsetX) / view.scale));
  const bottom = Math.min(image.height, Math.ceil((viewport.height - view.offsetY) / view.scale));
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}

/** Next step on the zoom ladder (for keyboard and buttons), in either direction. */
export function stepScale(scale: number, direction: 1 | -1): number {
  const ladder = [0.05, 0.1, 0.125, 0.25, 0.33, 0.5, 0.67, 1, 1.5, 2, 3, 4, 6, 8];
  if (direction > 0) return ladder.find((s) => s > scale * 1.001) ?? MAX_SCALE;
  return [...ladder].reverse().find((s) => s < scale / 1.001) ?? MIN_SCALE;
}
