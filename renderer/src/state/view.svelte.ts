/** How the photo is shown: zoom and pan, split view, original on hold, haze map. */
import { clampPan, fitView, stepScale, zoomAt, pan, type Size, type View } from '../lib/viewport';
import type { PreviewMode } from '../worker/protocol';

export class ViewState {
  view = $state<View>({ scale: 1, offsetX: 0, offsetY: 0 });
  /** True while the view follows the window ("fit"); any zoom or pan turns it off. */
  fitting = $state(true);
  split = $state(false);
  /** Divider position as a fraction of the viewer width. */
  splitAt = $state(0.5);
  holdOriginal = $state(false);
  hazeMap = $state(false);
  viewport = $state<Size>({ width: 1, height: 1 });
  image = $state<Size | null>(null);

  get mode(): PreviewMode {
    return this.hazeMap ? 'haze' : 'dehazed';
  }

  setViewport(size: Size): void {
    this.viewport = size;
    if (!this.image) return;
    this.view = this.fitting ? fitView(this.image, size) : clampPan(this.view, this.image, size);
  }

  setImage(size: Size | null): void {
    const changed = !this.image || !size || this.image.width !== size.width || this.image.height !== size.height;
    this.image = size;
    if (size && changed) this.fit();
  }

  fit(): void {
    if (!this.image) return;
    this.fitting = true;
    this.view = fitView(this.image, this.viewport);
  }

  /** Zoom to `scale` around a screen point (default: the viewer's centre). */
  zoomTo(scale: number, x = this.viewport.width / 2, y = this.viewport.height / 2): void {
    if (!this.image) return;
    this.fitting = false;
    this.view = zoomAt(this.view, scale, x, y, this.image, this.viewport);
  }

  actualSize(x?: number, y?: number): void {
    this.zoomTo(1, x, y);
  }

  zoomStep(direction: 1 | -1): void {
    this.zoomTo(stepScale(this.view.scale, direction));
  }

  /** Wheel: smooth, proportional to the wheel distance, anchored at the cursor. */
  wheel(deltaY: number, x: number, y: number): void {
    this.zoomTo(this.view.scale * Math.exp(-deltaY * 0.0015), x, y);
  }

  panBy(dx: number, dy: number): void {
    if (!this.image) return;
    this.fitting = false;
    this.view = pan(this.view, dx, dy, this.image, this.viewport);
  }

  get zoomPercent(): number {
    return Math.round(this.view.scale * 100);
  }
}
