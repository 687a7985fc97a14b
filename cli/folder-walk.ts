// What a walk through the input folders takes: the one home of those rules, for the batch's walk
// (cli/discover.ts) and the guess made before the command loads (cli/prestart.ts). Loads nothing
// heavy.
import { hasImageExtension } from '../common/formats/index';

/** Name of the folder created beside the inputs when no --out is given (never walked into). */
export const DEFAULT_OUT_FOLDER = 'dehazed';

/** A file of a folder that may be a photo: not hidden, with an image extension. */
export function isPhotoName(name: string): boolean {
  return !name.startsWith('.') && hasImageExtension(name);
}

/** A subfolder the walk goes into with -r: not hidden, not one of our output folders. */
export function isWalkedFolder(name: string): boolean {
  return !name.startsWith('.') && name !== DEFAULT_OUT_FOLDER;
}
