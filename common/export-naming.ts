/**
 * Output file names, for every side that writes photos (Electron main, browser mode, the CLI):
 * "<base><suffix><ext>", and what to do when that name is already taken. Each side says what
 * "taken" means: Electron and the CLI look in the real output folder (names compared as the file
 * system compares them), browser mode at what it exported earlier in this session (the page
 * cannot see the Downloads folder).
 */
import type { OnExisting } from './contract';
import { formatFacts, formatFromExtension, type ImageFormat } from './formats/index';

/** Name without its folder and last extension ("dir/a.b.jpg" -> "a.b"); a leading dot is not an extension. */
export function baseName(fileName: string): string {
  const name = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/**
 * The output's extension: the input's own spelling when the format is unchanged (photo.JPEG
 * stays .JPEG, scan.tif stays .tif), otherwise the format's usual one.
 */
export function outputExtension(inputName: string, format: ImageFormat): string {
  if (formatFromExtension(inputName) === format) return inputName.slice(inputName.lastIndexOf('.'));
  return formatFacts(format).extensions[0];
}

/** The output's name before any clash is looked at: photo.JPEG -> photo-dehazed.JPEG. */
export function outputFileName(inputName: string, suffix: string, format: ImageFormat): string {
  return `${baseName(inputName)}${suffix}${outputExtension(inputName, format)}`;
}

/**
 * Whether `fileName` reads as an output's name for `suffix` ("photo-dehazed.jpg", or renamed
 * "photo-dehazed (2).jpg"): a guess from the name alone, for counting an album's photos before
 * they are looked at (the batch tells outputs by the mark Hazeless writes into them). With no
 * suffix an output's name is an input's, and nothing reads as an output.
 */
export function looksLikeOutputName(fileName: string, suffix: string): boolean {
  if (suffix === '') return false;
  const base = baseName(fileName).replace(/ \(\d+\)$/, '');
  return base.endsWith(suffix) && base.length > suffix.length;
}

/** Why a photo is skipped when its output name is taken and the policy is 'skip'. */
export const alreadyExists = (name: string): string => `${name} already exists`;

/** `name` in a skip: the name that was taken. */
export type NameDecision = { action: 'write'; name: string } | { action: 'skip'; name: string; reason: string };

/**
 * The name to write `inputName`'s output under. A taken name is written over with 'overwrite'
 * (the writer still refuses a file Hazeless did not write), skipped with 'skip', and with
 * 'rename' the first free "<base><suffix> (2)<ext>", " (3)", ... is taken instead.
 */
export function outputName(
  inputName: string,
  suffix: string,
  format: ImageFormat,
  onExisting: OnExisting,
  isTaken: (name: string) => boolean,
): NameDecision {
  const stem = `${baseName(inputName)}${suffix}`;
  const ext = outputExtension(inputName, format);
  const name = `${stem}${ext}`;
  if (!isTaken(name) || onExisting === 'overwrite') return { action: 'write', name };
  if (onExisting === 'skip') return { action: 'skip', name, reason: alreadyExists(name) };
  for (let i = 2; i < 100_000; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!isTaken(candidate)) return { action: 'write', name: candidate };
  }
  return { action: 'skip', name, reason: `no free name for ${name}` };
}
