import { describe, expect, it } from 'vitest';
import { baseName, outputFileName, outputName } from '../../common/export-naming';
import { formatDuration, secondsLeft } from '../../renderer/src/lib/eta';

describe('export file names', () => {
  it('adds the suffix and the format extension', () => {
    expect(outputName('IMG_0001.JPG', '-dehazed', 'png', 'rename', () => false)).toEqual({ action: 'write', name: 'IMG_0001-dehazed.png' });
    expect(outputName('a.b.tiff', '', 'jpeg', 'rename', () => false)).toEqual({ action: 'write', name: 'a.b.jpg' });
    expect(baseName('.hidden')).toBe('.hidden');
    expect(baseName('dir/sub/photo.webp')).toBe('photo');
  });

  it("keeps the input's extension spelling when the format is unchanged", () => {
    // What the desktop app, browser mode and the CLI all name: photo.JPEG stays .JPEG.
    expect(outputName('photo.JPEG', '-dehazed', 'jpeg', 'skip', () => false)).toEqual({ action: 'write', name: 'photo-dehazed.JPEG' });
    expect(outputFileName('scan.tif', '-dehazed', 'tiff')).toBe('scan-dehazed.tif');
    expect(outputFileName('IMG_0001.jfif', '', 'jpeg')).toBe('IMG_0001.jfif');
    expect(outputFileName('photo.JPEG', '-dehazed', 'png')).toBe('photo-dehazed.png');
    const taken = new Set(['photo-dehazed.JPEG']);
    expect(outputName('photo.JPEG', '-dehazed', 'jpeg', 'rename', (n) => taken.has(n))).toEqual({ action: 'write', name: 'photo-dehazed (2).JPEG' });
  });

  it('renames, overwrites or skips when the name is taken', () => {
    const taken = new Set(['p-x.jpg', 'p-x (2).jpg']);
    const isTaken = (n: string) => taken.has(n);
    expect(outputName('p.jpg', '-x', 'jpeg', 'rename', isTaken)).toEqual({ action: 'write', name: 'p-x (3).jpg' });
    expect(outputName('p.jpg', '-x', 'jpeg', 'overwrite', isTaken)).toEqual({ action: 'write', name: 'p-x.jpg' });
    expect(outputName('p.jpg', '-x', 'jpeg', 'skip', isTaken)).toEqual({ action: 'skip', name: 'p-x.jpg', reason: 'p-x.jpg already exists' });
  });
});

describe('time left in a batch', () => {
  it('scales the measured rate by pixels, counting the photo in progress', () => {
    // 10 s for the first 24 MP photo; a 12 MP one half done; 24 MP still to go.
    const s = secondsLeft({ elapsed: 12.5, pixels: [24e6, 12e6, 24e6], finished: 1, currentFraction: 0.5 });
    const rate = 30e6 / 12.5;
    expect(s).toBeCloseTo((6e6 + 24e6) / rate, 6);
    expect(secondsLeft({ elapsed: 5, pixels: [1, 1], finished: 2, currentFraction: 0 })).toBe(0);
    expect(secondsLeft({ elapsed: 0.1, pixels: [1, 1], finished: 0, currentFraction: 0 })).toBeNull();
  });

  it('formats durations for people', () => {
    expect(formatDuration(null)).toBe('estimating…');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3 * 3600 + 7 * 60)).toBe('3 h 07 min');
  });
});
