/**
 * Output file names: "<base><suffix>.<ext>", and what to do when that name is already taken.
 * In browser mode "taken" means exported earlier in this session (the page cannot see the
 * Downloads folder); Electron applies the same policy to the real output folder in main.
 */
import type { ExportFormat, OnExisting } from './contract';
import { formatFacts } from './formats/index';

/** Name without its last extension ("a.b.jpg" -> "a.b"); a leading dot is not an extension. */
export function baseName(fileName: string): string {
  const name = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Why a photo is skipped when its output name is taken and the policy is 'skip'. */
export const alreadyExists = (name: string): string => `${name} already exists`;

export type NameDecision = { action: 'write'; name: string } | { action: 'skip'; reason: string };

export function outputName(
  inputName: string,
  suffix: string,
  format: ExportFormat,
  onExisting: OnExisting,
  isTaken: (name: string) => boolean,
): NameDecision {
  const stem = `${baseName(inputName)}${suffix}`;
  const ext = formatFacts(format).extensions[0];
  const name = `${stem}${ext}`;
  if (!isTaken(name) || onExisting === 'overwrite') return { action: 'write', name };
  if (onExisting === 'skip') return { action: 'skip', reason: alreadyExists(name) };
  for (let i = 2; i < 100_000; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!isTaken(candidate)) return { action: 'write', name: candidate };
  }
  return { action: 'skip', reason: `no free name for ${name}` };
}
