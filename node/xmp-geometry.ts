/**
 * A photo's XMP made true of the pixels Hazeless writes: they are upright (EXIF orientation
 * applied) and may be smaller (--max-size), while the source's XMP can still say otherwise in
 * tiff:Orientation, tiff:ImageWidth / ImageLength and exif:PixelXDimension / PixelYDimension. A
 * reader that trusts the XMP (TIFF files carry no EXIF to overrule it) would turn the photo a
 * second time. Only statements already there change, in attribute or element form, under
 * whatever prefix the XMP binds to the namespace.
 */

import { escapeRegExp, prefixesOf } from './xmp-text';

const TIFF_NS = 'http://ns.adobe.com/tiff/1.0/';
const EXIF_NS = 'http://ns.adobe.com/exif/1.0/';

/** `xmp` with the value of every `prefix:name` statement (attribute or simple element) set to `value`. */
function setProperty(xmp: string, prefix: string, name: string, value: string): string {
  const qname = escapeRegExp(`${prefix}:${name}`);
  return xmp
    .replace(new RegExp(`(\\s${qname}\\s*=\\s*)(["'])[^"']*\\2`, 'g'), `$1$2${value}$2`)
    .replace(new RegExp(`(<${qname}(?:\\s[^>]*)?>)[^<]*(</${qname}\\s*>)`, 'g'), `$1${value}$2`);
}

/** The XMP with its orientation 1 and its pixel dimensions `width` x `height`. */
export function xmpForPixels(xmp: string, width: number, height: number): string {
  let text = xmp;
  for (const p of prefixesOf(text, TIFF_NS)) {
    text = setProperty(text, p, 'Orientation', '1');
    text = setProperty(text, p, 'ImageWidth', String(width));
    text = setProperty(text, p, 'ImageLength', String(height));
  }
  for (const p of prefixesOf(text, EXIF_NS)) {
    text = setProperty(text, p, 'PixelXDimension', String(width));
    text = setProperty(text, p, 'PixelYDimension', String(height));
  }
  return text;
}
