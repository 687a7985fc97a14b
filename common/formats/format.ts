/**
 * What Hazeless knows about one image format, in one place: every side (CLI, Electron main, the
 * renderer in Electron or a browser) reads these facts, so a format is added or changed in its
 * own file only. Browser-safe: nothing here imports Node or the DOM.
 */
export interface FormatFacts<Id extends string = string> {
  /** Our name for the format: the CLI's --format value and the export settings' `format`. */
  readonly id: Id;
  /** How the format is named to people (menus, messages). */
  readonly label: string;
  /** The MIME type (the browser's encoder and sharp's `mediaType` agree on it). */
  readonly mime: string;
  /**
   * File name extensions, lower case with the dot: libvips's list for the format (what sharp
   * recognises). The first is the one a new file gets.
   */
  readonly extensions: readonly [string, ...string[]];
  /** Holds 16 bits per sample; the other formats are written as 8-bit. */
  readonly sixteenBit: boolean;
  /** Encoding loses detail; a quality 1..100 applies. */
  readonly lossy: boolean;
  /** The quality written when none is asked for (lossy formats only). */
  readonly defaultQuality: number | null;
}
