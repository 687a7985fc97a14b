/** Paints the viewer canvas from the current scene: one function, no state. */
import type { View } from './viewport';

export interface Layer {
  /** Whole-photo picture (a proxy of it), stretched over the photo's area. */
  base: CanvasImageSource;
  /** Full-resolution crop drawn over it, where available. */
  detail: { image: CanvasImageSource; left: number; top: number; width: number; height: number } | null;
}

export interface Scene {
  width: number;
  height: number;
  view: View;
  before: Layer;
  after: Layer;
  /** Divider x in CSS pixels, or null for no split. */
  splitX: number | null;
  showBefore: boolean;
}

function drawLayer(ctx: CanvasRenderingContext2D, scene: Scene, layer: Layer): void {
  const { view } = scene;
  ctx.drawImage(layer.base, view.offsetX, view.offsetY, scene.width * view.scale, scene.height * view.scale);
  const d = layer.detail;
  if (d) ctx.drawImage(d.image, view.offsetX + d.left * view.scale, view.offsetY + d.top * view.scale, d.width * view.scale, d.height * view.scale);
}

export function drawScene(ctx: CanvasRenderingContext2D, cssWidth: number, cssHeight: number, dpr: number, scene: Scene | null): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  if (!scene) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  // Past 200% individual pixels are what people want to inspect: no smoothing.
  ctx.imageSmoothingEnabled = scene.view.scale < 2;
  ctx.imageSmoothingQuality = 'high';
  if (scene.showBefore || scene.splitX === null) {
    drawLayer(ctx, scene, scene.showBefore ? scene.before : scene.after);
    return;
  }
  const x = Math.max(0, Math.min(cssWidth, scene.splitX));
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, x, cssHeight);
  ctx.clip();
  drawLayer(ctx, scene, scene.before);
  ctx.restore();
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, 0, cssWidth - x, cssHeight);
  ctx.clip();
  drawLayer(ctx, scene, scene.after);
  ctx.restore();
}
