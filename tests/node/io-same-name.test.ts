import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { foldsCase, nameKey } from '../../node/same-name';

// Two photos whose outputs differ only in case are one file on macOS and Windows: every check
// that compares names before writing (the CLI's outputs, the export queue, the path guard) keys
// them with nameKey.
describe('nameKey: names as the platform compares them', () => {
  const a = path.resolve('/photos/dehazed/A-dehazed.jpg');
  const b = path.resolve('/photos/dehazed/a-dehazed.jpg');

  test.each(['darwin', 'win32'] as const)('%s ignores letter case', (platform) => {
    expect(foldsCase(platform)).toBe(true);
    expect(nameKey(a, platform)).toBe(nameKey(b, platform));
    expect(nameKey('IMG_0042.JPG', platform)).toBe(nameKey('img_0042.jpg', platform));
    expect(nameKey(a, platform)).not.toBe(nameKey(path.resolve('/photos/dehazed/b-dehazed.jpg'), platform));
  });

  test.each(['linux', 'freebsd'] as const)('%s tells names that differ in case apart', (platform) => {
    expect(foldsCase(platform)).toBe(false);
    expect(nameKey(a, platform)).not.toBe(nameKey(b, platform));
    expect(nameKey(a, platform)).toBe(a);
  });
});
