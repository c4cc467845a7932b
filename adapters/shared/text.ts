// Text folding used wherever the specs say "matching ignores case, accents and surrounding
// spaces": enum tables, country names, operation codes. Folding is NFKC (full-width digits and
// letters become ASCII), then canonical decomposition with combining marks removed, then
// lower-case, then trim. What does not live here: identifier normalization, which has
// stricter per-type rules (adapters/shared/identifiers.ts).

const COMBINING_MARKS = /\p{M}+/gu;

/** `  Camboyá ` → `camboya`; `ＡＭＢＡＲ` → `ambar`; `中国` stays `中国`. */
export function foldForMatch(raw: string): string {
  return raw.normalize('NFKC').normalize('NFD').replace(COMBINING_MARKS, '').normalize('NFC').toLowerCase().trim();
}

/** NFKC and trim: the common first step of every normalizer. */
export function cleanText(raw: string): string {
  return raw.normalize('NFKC').trim();
}

/** Operation and agency codes compare ignoring case, width and surrounding spaces. */
export const sameCode = (a: string, b: string): boolean => foldForMatch(a) === foldForMatch(b);
