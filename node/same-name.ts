/**
 * How file names compare on this platform. The file systems macOS and Windows use by default
 * (APFS, HFS+, NTFS) ignore letter case, so there `A.png` and `a.png` are one file; Linux file
 * systems tell them apart. Hazeless checks names against each other before it writes (two photos
 * of a batch with one output name, an output landing on an input, a folder the user granted):
 * those checks compare `nameKey`s, never the raw strings.
 */

/** True where the platform's usual file systems take names that differ only in case for one. */
export function foldsCase(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

/**
 * A key for a name or path: two keys are equal when the platform's file system takes the two
 * names for the same file (pass absolute, resolved paths to compare paths).
 */
export function nameKey(name: string, platform: NodeJS.Platform = process.platform): string {
  return foldsCase(platform) ? name.toLowerCase() : name;
}
