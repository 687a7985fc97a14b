/**
 * Getting File objects in a browser: the file picker (photos or a whole folder) and drag-and-drop
 * of files and folders (walked with the File and Directory Entries API).
 */
import { ACCEPT, byName, looksLikePhoto } from './image-files';

export interface PickedFile {
  file: File;
  relativePath: string;
}

/** Opens the browser's file chooser; resolves with [] when the user cancels. */
export function pickFiles(options: { folder: boolean }): Promise<PickedFile[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.accept = ACCEPT;
    if (options.folder) input.webkitdirectory = true;
    input.style.display = 'none';
    const finish = (files: PickedFile[]): void => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])].map((file) => ({ file, relativePath: file.webkitRelativePath || '' }));
      finish(options.folder ? files.filter((f) => looksLikePhoto(f.file.name, f.file.type)) : files);
    });
    input.addEventListener('cancel', () => finish([]));
    document.body.append(input);
    input.click();
  });
}

/** Grabs the dropped entries synchronously (the DataTransfer is emptied after the event). */
export function droppedEntries(data: DataTransfer): { entries: FileSystemEntry[]; files: File[] } {
  const entries: FileSystemEntry[] = [];
  for (const item of [...data.items]) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  return { entries, files: entries.length > 0 ? [] : [...data.files] };
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const out: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    // readEntries hands out at most 100 entries per call: keep asking until it returns none.
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

/** Dropped files as they are, dropped folders walked recursively for photos. */
export async function filesFromEntries(entries: FileSystemEntry[]): Promise<{ files: PickedFile[]; folderName: string | null }> {
  const files: PickedFile[] = [];
  const folders = entries.filter((e) => e.isDirectory);
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await fileOf(entry as FileSystemFileEntry);
      const relativePath = prefix ? `${prefix}/${entry.name}` : '';
      // Loose dropped files are taken whatever they are (a bad one shows as an error); files
      // inside folders only when they look like photos.
      if (!prefix || looksLikePhoto(file.name, file.type)) files.push({ file, relativePath });
      return;
    }
    const children = (await readAll(entry as FileSystemDirectoryEntry)).sort((a, b) => byName(a.name, b.name));
    for (const child of children) await walk(child, prefix ? `${prefix}/${entry.name}` : entry.name);
  };
  for (const entry of entries) await walk(entry, '');
  return { files, folderName: folders.length === 1 && entries.length === 1 ? folders[0].name : null };
}
