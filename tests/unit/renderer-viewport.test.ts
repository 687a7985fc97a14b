import { describe, expect, it } from 'vitest';
import { clampPan, fitView, pan, stepScale, visibleRect, zoomAt } from '../../renderer/src/lib/viewport';

const image = { width: 6000, height: 4000 };
const viewport = { width: 1200, height: 800 };

describe('viewer geometry', () => {
  it('fits the photo inside the viewport, centred, with a margin', () => {
    const v = fitView(image, viewport);
    expect(v.scale).toBeCloseTo(Math.min((1200 - 32) / 6000, (800 - 32) / 4000));
    expect(v.offsetX + (image.width * v.scale) / 2).toBeCloseTo(600);
    expect(v.offsetY + (image.height * v.scale) / 2).toBeCloseTo(400);
  });

  it('zooming keeps the image point under the cursor in place', () => {
    const v = fitView(image, viewport);
    const x = 900;
    const y = 300;
    const before = { x: (x - v.offsetX) / v.scale, y: (y - v.offsetY) / v.scale };
    const z = zoomAt(v, 1, x, y, image, viewport);
    expect(z.scale).toBe(1);
    expect((x - z.offsetX) / z.scale).toBeCloseTo(before.x, 6);
    expect((y - z.offsetY) / z.scale).toBeCloseTo(before.y, 6);
  });

  it('panning stops at the photo edges and centres a photo smaller than the viewport', () => {
    const z = zoomAt(fitView(image, viewport), 1, 600, 400, image, viewport);
    const far = pan(z, 1e6, 1e6, image, viewport);
    expect(far.offsetX).toBe(0);
    expect(far.offsetY).toBe(0);
    const other = pan(z, -1e6, -1e6, image, viewport);
    expect(other.offsetX).toBe(1200 - 6000);
    expect(other.offsetY).toBe(800 - 4000);
    const small = clampPan({ scale: 0.1, offsetX: -500, offsetY: 999 }, image, viewport);
    expect(small.offsetX).toBeCloseTo((1200 - 600) / 2);
    expect(small.offsetY).toBeCloseTo((800 - 400) / 2);
  });

  it('the visible rectangle at 100% is the viewport-sized crop under the view', () => {
    const v = { scale: 1, offsetX: -1000, offsetY: -500 };
    expect(visibleRect(v, image, viewport)).toEqual({ left: 1000, top: 500, width: 1200, height: 800 });
    const fit = fitView(image, viewport);
    expect(visibleRect(fit, image, viewport)).toEqual({ left: 0, top: 0, width: 6000, height: 4000 });
    const zoomed = { scale: 4, offsetX: -2.5, offsetY: 0 };
    const r = visibleRect(zoomed, image, viewport);
    expect(r.left).toBe(0);
    expect(r.width).toBe(Math.ceil((1200 + 2.5) / 4));
  });

  it('zoom steps go up and down the ladder', () => {
    expect(stepScale(1, 1)).toBe(1.5);
    expect(stepScale(1, -1)).toBe(0.67);
    expect(stepScale(0.3, 1)).toBe(0.33);
    expect(stepScale(8, 1)).toBe(8);
  });
});
