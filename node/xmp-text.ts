/**
 * Reading an XMP packet as text, for the few edits Hazeless makes to a photo's own XMP (its mark,
 * node/hazeless-mark.ts; its geometry, node/xmp-geometry.ts): namespaces may be bound to any
 * prefix, and values written as attributes or as elements.
 */

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern for namespace `ns` as an attribute value, in either quotes. */
export function quotedNamespace(ns: string): string {
  return `(?:"${escapeRegExp(ns)}"|'${escapeRegExp(ns)}')`;
}

/** The prefixes `xmp` binds to namespace `ns`. */
export function prefixesOf(xmp: string, ns: string): string[] {
  return [...new Set([...xmp.matchAll(new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*${quotedNamespace(ns)}`, 'g'))].map((m) => m[1]))];
}
