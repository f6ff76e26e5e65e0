/**
 * Small text helpers of the copy modules, and the prompt's language: from the script (Japanese,
 * Arabic, Chinese, Korean, others) and, for Latin text, from Spanish function words. A
 * statistical detector is unreliable on one-line prompts and would add weight for the two
 * Latin-script languages the copy bank knows.
 */

export type Language = "en" | "es" | "ja" | "ar" | "zh" | "ko" | "other";

export const NOT_LETTER_BEFORE = "(?<![\\p{L}\\p{N}])";
export const NOT_LETTER_AFTER = "(?![\\p{L}\\p{N}])";
export const words = (s: string) => s.split(/\s+/).filter(Boolean);
export const collapse = (s: string) => s.replace(/\s+/g, " ").trim();
export const trimPunct = (s: string) =>
  s.replace(/^[\s"'“”‘’«»「」『』(),.;:!?¡¿-]+|[\s"'“”‘’«»「」『』(),.;:!?¡¿-]+$/gu, "");
/** Upper-cases the first letter only; the rest (accents, CamelCase, acronyms) stays as written. */
export const capitalise = (s: string) => s.replace(/^\p{Ll}/u, (c) => c.toLocaleUpperCase());
export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
export const removeAll = (text: string, part: string) =>
  part ? text.replace(new RegExp(escapeRe(part), "giu"), " ") : text;
export const dedupe = (items: string[]) => {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = fold(i);
    if (!i || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};
/** Case- and accent-insensitive form, as the render container's QC compares. */
export const fold = (s: string) =>
  s.normalize("NFKD").replace(/\p{M}/gu, "").toLocaleLowerCase().replace(/\s+/g, " ").trim();

export const SPANISH_WORDS = new Set(
  "de la el los las para con y en tu tus nuestro nuestra nuestros del por que una un es más hoy ya sin envío gratis descuento anuncio tienda nuevo nueva cada tu su sus al lo muy".split(
    " ",
  ),
);
export const ENGLISH_WORDS = new Set(
  "the and for with your of to in on a an our that is this get new now today free off every you it".split(
    " ",
  ),
);

/** The prompt's language: from the script, and for Latin text from its function words. */
export function detectLanguage(text: string): Language {
  const count = (re: RegExp) => text.match(re)?.length ?? 0;
  const kana = count(/[\p{Script=Hiragana}\p{Script=Katakana}]/gu);
  const han = count(/\p{Script=Han}/gu);
  const hangul = count(/\p{Script=Hangul}/gu);
  const arabic = count(/\p{Script=Arabic}/gu);
  const latin = count(/\p{Script=Latin}/gu);
  const other = count(
    /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Hebrew}\p{Script=Devanagari}\p{Script=Thai}]/gu,
  );
  if (arabic > latin && arabic >= kana + han) return "ar";
  if (kana + han > latin) return kana > 0 ? "ja" : "zh";
  if (hangul > latin) return "ko";
  if (other > latin) return "other";
  const tokens = words(text.toLocaleLowerCase().replace(/[^\p{L}\s]/gu, " "));
  const es = tokens.filter((t) => SPANISH_WORDS.has(t)).length + count(/[ñ¿¡]/giu) * 2;
  const en = tokens.filter((t) => ENGLISH_WORDS.has(t)).length;
  return es >= 2 && es > en ? "es" : "en";
}
