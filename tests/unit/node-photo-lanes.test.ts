/** Errors of a photo's export cross from a worker thread with their class and fields (node/photo-lanes.ts). */
import { describe, expect, it } from 'vitest';
import { AbortError, isAbortError } from '../../engine/abort';
import { ImageReadError } from '../../node/image-io';
import { fromPlainError, toPlainError } from '../../node/photo-lanes';
import { FolderNotWritableError, ForeignFileError, InputCollisionError, OutputExistsError } from '../../node/safe-write';

/** Through structured clone, as postMessage carries it. */
const across = (e: unknown): Error => fromPlainError(structuredClone(toPlainError(e)));

describe('errors across threads', () => {
  it('keep the classes the batch tells apart, and their fields', () => {
    const exists = across(new OutputExistsError('/out/a.jpg'));
    expect(exists).toBeInstanceOf(OutputExistsError);
    expect((exists as OutputExistsError).output).toBe('/out/a.jpg');

    const collision = across(new InputCollisionError('/in/a.jpg', '/in/a.jpg'));
    expect(collision).toBeInstanceOf(InputCollisionError);
    expect(collision).toMatchObject({ output: '/in/a.jpg', input: '/in/a.jpg' });

    expect(across(new ForeignFileError('/out/b.jpg'))).toBeInstanceOf(ForeignFileError);
    const folder = across(new FolderNotWritableError('/out', 'read-only'));
    expect(folder).toBeInstanceOf(FolderNotWritableError);
    expect(folder).toMatchObject({ folder: '/out', reason: 'read-only' });

    const unreadable = across(new ImageReadError('truncated or damaged file'));
    expect(unreadable).toBeInstanceOf(ImageReadError);
    expect((unreadable as ImageReadError).reason).toBe('truncated or damaged file');
    expect(unreadable.message).toBe('truncated or damaged file');
  });

  it('every abort stays an abort: ours, the DOM one, and Node', () => {
    expect(isAbortError(across(new AbortError()))).toBe(true);
    expect(isAbortError(across(new DOMException('This operation was aborted', 'AbortError')))).toBe(true);
    const controller = new AbortController();
    controller.abort();
    let nodeAbort: unknown;
    try {
      controller.signal.throwIfAborted();
    } catch (e) {
      nodeAbort = e;
    }
    expect(isAbortError(across(nodeAbort))).toBe(true);
  });

  it('other errors keep their message and code (permission denied is told apart by it)', () => {
    const denied = Object.assign(new Error('EACCES: permission denied, open /out/a.jpg'), { code: 'EACCES' });
    const back = across(denied) as NodeJS.ErrnoException;
    expect(back.message).toBe(denied.message);
    expect(back.code).toBe('EACCES');
    expect(across('plain text').message).toBe('plain text');
  });
});
