/**
 * Offers ("50% OFF", "$20 off", "€15", "Free shipping", "2 for 1") and other numbers ("24h",
 * "30 minutes", "3 blends", "100% guarantee", "24/7 emergency repairs") in a prompt, each as it
 * should appear on screen, with where it was found. English, Spanish, Japanese and Arabic forms.
 */
import nlp from "compromise";
import {
  capitalise,
  collapse,
  type Language,
  NOT_LETTER_AFTER,
  NOT_LETTER_BEFORE,
  removeAll,
  words,
} from "./text.ts";

export const DIGITS = "[0-9٠-٩]";
export const NUM = `${DIGITS}+(?:[.,]${DIGITS}+)*`;
const PERCENT = `${NUM}\\s?[%٪]`;
const CURRENCY = "[$€£¥₹]";
export const TIME_UNITS =
  "h|hrs?|hours?|mins?|minutes?|days?|weeks?|months?|seconds?|secs?|minutos?|horas?|días?|semanas?|分|時間|日|秒|دقيقة|دقائق|ساعة|ساعات|يوم|أيام";

export interface Found {
  /** As shown on screen. */
  say: string;
  /** Where it was, to remove it before the product is read. */
  raw: string;
}

export function findOffers(text: string, language: Language): Found[] {
  const found: Found[] = [];
  const add = (re: RegExp, say: (m: RegExpExecArray) => string) => {
    for (const m of text.matchAll(new RegExp(re.source, `${re.flags.replace("g", "")}g`)))
      found.push({ say: say(m as RegExpExecArray), raw: m[0] });
  };
  const pct = (s: string) => s.replace(/\s+/g, "");
  add(new RegExp(`(${PERCENT})\\s?(?:de\\s+)?descuento`, "iu"), (m) => `${pct(m[1]!)} de descuento`);
  add(new RegExp(`(${PERCENT})\\s?(?:オフ|OFF|引き|割引)`, "u"), (m) =>
    language === "ja" ? `${pct(m[1]!)}オフ` : `${pct(m[1]!)} OFF`,
  );
  add(new RegExp(`(${PERCENT})\\s?off${NOT_LETTER_AFTER}`, "iu"), (m) => `${pct(m[1]!)} OFF`);
  add(
    new RegExp(`(?:خصم|تخفيض)\\s*(?:بنسبة\\s*)?(${PERCENT})|(${PERCENT})\\s*(?:خصم|تخفيض)`, "u"),
    (m) => `خصم ${pct(m[1] ?? m[2]!)}`,
  );
  add(new RegExp(`(?:save|ahorra)\\s+(${PERCENT}|${CURRENCY}\\s?${NUM})`, "iu"), (m) =>
    m[1]!.includes("%") ? `${pct(m[1]!)} OFF` : `${m[1]!.replace(/\s+/g, "")} off`,
  );
  add(
    new RegExp(`(${CURRENCY}\\s?${NUM})\\s?off${NOT_LETTER_AFTER}`, "iu"),
    (m) => `${m[1]!.replace(/\s+/g, "")} off`,
  );
  add(
    new RegExp(`(${CURRENCY}\\s?${NUM})\\s+(bonus|credit|cashback|gift card)`, "iu"),
    (m) => `${m[1]!.replace(/\s+/g, "")} ${m[2]!.toLocaleLowerCase()}`,
  );
  add(
    new RegExp(`${NOT_LETTER_BEFORE}(${NUM})\\s+for\\s+(${CURRENCY}\\s?${NUM})`, "iu"),
    (m) => `${m[1]} for ${m[2]!.replace(/\s+/g, "")}`,
  );
  add(/半額/u, () => "半額");
  add(/送料無料/u, () => "送料無料");
  add(/(?:شحن|توصيل)\s+مجاني/u, (m) => m[0]);
  add(/env[ií]o\s+gratis/iu, (m) => capitalise(m[0].toLocaleLowerCase()));
  add(/\b(?:\d+-day\s+)?(?:free\s+(?:shipping|delivery|trial|returns|samples?|gift|installation))\b/i, (m) =>
    capitalise(m[0].toLocaleLowerCase()),
  );
  add(/\b(?:buy\s+one,?\s+get\s+one(?:\s+free)?|bogo)\b/i, () => "Buy one, get one free");
  add(/(?<![\d.])2\s?(?:x|for)\s?1(?![\d])/iu, () => (language === "es" ? "2x1" : "2 for 1"));
  // Prices (not already part of an "off" offer).
  const taken = found.map((f) => f.raw).join(" ");
  for (const m of text.matchAll(
    new RegExp(
      `(?:${CURRENCY}\\s?${NUM}(?:\\s?(?:/\\s?mo(?:nth)?|/\\s?month|a month|per month|al mes))?)|(?:${NUM}\\s?(?:€|euros?|dollars|円|ريال|درهم|جنيه)(?:\\s?(?:al mes|a month|per month))?)`,
      "giu",
    ),
  )) {
    if (taken.includes(m[0].trim())) continue;
    found.push({ say: m[0].trim().replace(/\s?\/\s?/g, "/"), raw: m[0] });
  }
  return found;
}

const NUMBER_STOP = new Set(
  "and or & y e for to in on with of at by the a an from your our you per et und para con en de del".split(
    " ",
  ),
);

export const isPluralWord = (w: string) => nlp(w).has("#Plural") || /[^s']s$/i.test(w);

export function findNumbers(text: string, offersRaw: string[]): Found[] {
  let rest = text;
  for (const raw of offersRaw) rest = removeAll(rest, raw);
  const found: Found[] = [];
  const seen = (at: string) => found.some((f) => f.raw.includes(at) || at.includes(f.raw));
  // Times and durations: "24h", "30 minutes", "30分".
  for (const m of rest.matchAll(new RegExp(`(${NUM})\\s?(${TIME_UNITS})${NOT_LETTER_AFTER}`, "giu"))) {
    const say = /^h$|^hrs?$/i.test(m[2]!) ? `${m[1]}${m[2]}` : m[0].trim();
    found.push({ say, raw: m[0] });
  }
  for (const m of rest.matchAll(/24\/7((?:\s+\p{L}[\p{L}-]*){0,3})/gu)) {
    const noun: string[] = [];
    for (const w of words(m[1]!)) {
      if (NUMBER_STOP.has(w.toLocaleLowerCase())) break;
      noun.push(w);
      if (isPluralWord(w)) break;
    }
    if (!noun.some(isPluralWord)) noun.length = 0;
    found.push({ say: collapse(`24/7 ${noun.join(" ")}`), raw: "24/7" });
  }
  // Percentages with what they measure: "100% guarantee", "40% less sugar".
  for (const m of rest.matchAll(new RegExp(`(${PERCENT})((?:[\\s-]+[\\p{L}][\\p{L}'-]*){0,3})`, "giu"))) {
    const tail: string[] = [];
    for (const w of words(m[2]!.replace(/^-/, " "))) {
      if (NUMBER_STOP.has(w.toLocaleLowerCase())) break;
      tail.push(w);
    }
    const say = collapse(`${m[1]!.replace(/\s+/g, "")} ${tail.join(" ")}`);
    if (!seen(m[1]!)) found.push({ say, raw: `${m[1]}${m[2]}` });
  }
  // Counts: "3 blends", "500 shelter dogs" (a number and its noun, up to the first plural).
  for (const m of rest.matchAll(
    new RegExp(`${NOT_LETTER_BEFORE}(${NUM})\\s+((?:\\p{L}[\\p{L}'-]*\\s*){1,3})`, "giu"),
  )) {
    if (seen(m[1]!)) continue;
    const after = words(m[2]!);
    if (!after.length || NUMBER_STOP.has(after[0]!.toLocaleLowerCase())) continue;
    if (new RegExp(`^(?:${TIME_UNITS})$`, "iu").test(after[0]!) || /^(?:x|for)$/i.test(after[0]!)) continue;
    if (Number(m[1]!.replace(/,/g, "")) === 1) continue;
    const noun: string[] = [];
    for (const w of after) {
      if (NUMBER_STOP.has(w.toLocaleLowerCase())) break;
      noun.push(w);
      if (isPluralWord(w)) break;
    }
    if (!noun.some(isPluralWord)) noun.splice(1);
    found.push({ say: `${m[1]} ${noun.join(" ")}`, raw: m[1]! });
  }
  // Japanese counters: "100本", "3種類".
  for (const m of rest.matchAll(new RegExp(`(${NUM})\\s?(本|個|杯|種類|名|人|品|枚|袋)`, "gu")))
    if (!seen(m[0])) found.push({ say: m[0].replace(/\s+/g, ""), raw: m[0] });
  // In the order the prompt says them.
  return found.sort((a, b) => rest.indexOf(a.raw) - rest.indexOf(b.raw));
}
