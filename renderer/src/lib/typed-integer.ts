/** A whole number typed into a box, rounded and brought into min..max; null when blank or not a number. */
export function typedInteger(text: string, min: number, max: number): number | null {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) return null;
  return Math.round(Math.min(max, Math.max(min, v)));
}
