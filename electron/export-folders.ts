// The export folders the user chose in main's own folder dialog, kept in main's userData. At
// start main re-grants the remembered export folder (settings) only if it is in this list, so a
// settings file that names any other folder grants no writing.

import path from 'node:path';
import { JsonFile } from './json-file';

const MAX_CHOSEN = 12;

interface ChosenFolder {
  folder: string;
  chosenAt: number;
}

function parseChosen(raw: unknown): ChosenFolder[] {
  if (!Array.isArray(raw)) return [];
  return (raw as unknown[])
    .filter((r): r is ChosenFolder => {
      const { folder, chosenAt } = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
      return typeof folder === 'string' && path.isAbsolute(folder) && typeof chosenAt === 'number';
    })
    .slice(0, MAX_CHOSEN);
}

export class ChosenExportFolders {
  private readonly file: JsonFile<ChosenFolder[]>;
  private list: ChosenFolder[] | null = null;

  constructor(userDataDir: string, private readonly now: () => number = Date.now) {
    this.file = new JsonFile(path.join(userDataDir, 'export-folders.json'));
  }

  private async load(): Promise<ChosenFolder[]> {
    this.list ??= parseChosen(await this.file.read());
    return this.list;
  }

  /** Records a folder (its real path) that the user just chose in main's dialog. */
  async add(folder: string): Promise<void> {
    const next = [{ folder, chosenAt: this.now() }, ...(await this.load()).filter((c) => c.folder !== folder)].slice(0, MAX_CHOSEN);
    this.list = next;
    await this.file.write(next);
  }

  async has(folder: string): Promise<boolean> {
    return (await this.load()).some((c) => c.folder === folder);
  }
}
