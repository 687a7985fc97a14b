import { describe, expect, it } from 'vitest';
import { baseName, looksLikeOutputName, outputFileName, outputName } from '../../common/export-naming';

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

  it('tells names that read as outputs, renamed ones too, from photos', () => {
    for (const name of ['p-dehazed.jpg', 'p-dehazed (2).JPG', 'dir/p.x-dehazed (12).png']) expect(looksLikeOutputName(name, '-dehazed')).toBe(true);
    for (const name of ['p.jpg', '-dehazed.jpg', 'p-dehazed-2.jpg', 'p (2).jpg']) expect(looksLikeOutputName(name, '-dehazed')).toBe(false);
    expect(looksLikeOutputName('p.jpg', '')).toBe(false);
  });
});
