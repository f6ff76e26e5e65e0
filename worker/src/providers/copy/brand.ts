/**
 * The brand a prompt names, as written (own case, accents and script): a quoted name (not an
 * apostrophe, not a quoted deal word), a CJK name in a Latin prompt or a Latin name in another
 * script, a "Café Olé:" lead, "by Acme", CamelCase ("ClaimFast"), all-caps ("KŌYA", unless the
 * whole prompt shouts), or an organisation compromise knows. Offers, labels and platforms are
 * never brands.
 */
import nlp from "compromise";
import { PLATFORMS } from "../offline-planner-data.ts";
import { collapse, type Language, trimPunct, words } from "./text.ts";

/** Capitalised words that are never a brand. */
const NOT_BRANDS = new Set(
  [
    "saas",
    "paas",
    "tiktok",
    "youtube",
    "linkedin",
    "whatsapp",
    "facebook",
    "instagram",
    "snapchat",
    "iphone",
    "ipad",
    "android",
    "ios",
    "ai",
    "crm",
    "erp",
    "b2b",
    "b2c",
    "api",
    "usa",
    "uk",
    "eu",
    "off",
    "sale",
    "free",
    "new",
    "now",
    "bogo",
    "hiit",
    "diy",
    "vip",
    "hd",
    "led",
    "spf",
    "suv",
    "asap",
    "faq",
    "seo",
    "roi",
    "kpi",
    "ceo",
    "usb",
    "gps",
    "tv",
    "bbq",
    "ad",
    "ads",
    "cta",
    "ugc",
    "gen",
    "mega",
    "today",
    "tonight",
    "problem",
    "solution",
    "before",
    "after",
    "offer",
    "deal",
    "promo",
    "note",
    "headline",
    "hook",
    "brand",
    "product",
    "ps",
    "ok",
  ].map((s) => s.toLocaleLowerCase()),
);
const LABELS =
  /^(?:problem|solution|before|after|antes|después|problema|solución|ad|advert|offer|sale|deal|promo|note|headline|hook|cta|brand|product|today|new|now|update|idea|tip|p\.?s\.?|limited time|last chance|flash sale)$/iu;
const DEAL_AFTER = /^\s*(?:deals?|sales?|offers?|discounts?|prices?|savings|events?|week(?:end)?|edition)\b/i;
const LATIN_NAME_WORD = /^(?:\p{Lu}[\p{L}\p{M}'’&.-]*|[\p{Lu}\d][\p{Lu}\p{N}&.-]+|&)$/u;
const FOREIGN_RUN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}][\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー・]+/gu;

export const isPlatform = (s: string) => PLATFORMS.some(([re]) => re.test(s));

/** A candidate is a name: not an apostrophe fragment, not an offer, not a platform or label. */
function nameOk(raw: string): string | undefined {
  const name = collapse(trimPunct(raw.replace(/['’]s$/u, "")));
  if ([...name.matchAll(/\p{L}/gu)].length < 2 || name.length > 40) return undefined;
  if (/[%$€£¥]|\d+\s?(?:off|h|min)/iu.test(name) || /^['’]/u.test(name)) return undefined;
  if (NOT_BRANDS.has(name.toLocaleLowerCase()) || LABELS.test(name) || isPlatform(name)) return undefined;
  if (words(name).length > 4) return undefined;
  return name;
}

export function findBrand(text: string, language: Language): string | undefined {
  // 1. A quoted name ("MuscleMate", «…», 「…」), unless it describes a deal ("Mega" deal).
  for (const m of text.matchAll(
    /(?:["“”«「『]|(?<![\p{L}\p{N}])['‘])([^"“”«»「」『』\n]{2,40}?)(?:["“”»」』]|['’](?![\p{L}\p{N}]))/gu,
  )) {
    const after = text.slice((m.index ?? 0) + m[0].length);
    if (DEAL_AFTER.test(after)) continue;
    const name = nameOk(m[1]!);
    if (name) return name;
  }
  // 2. A Japanese, Chinese or Korean name in a Latin-script prompt ("Ad for 東京ラーメン").
  if (language === "en" || language === "es") {
    const foreign = text.match(FOREIGN_RUN)?.[0];
    if (foreign) return foreign;
  }
  // A Latin name in a prompt in another script ("BrewMateのコーヒー").
  if (language === "ja" || language === "ar" || language === "zh" || language === "ko") {
    for (const m of text.matchAll(
      /\p{Script=Latin}[\p{Script=Latin}\p{M}\d&'’.-]*(?:\s+\p{Script=Latin}[\p{Script=Latin}\p{M}\d&'’.-]*){0,2}/gu,
    )) {
      const name = nameOk(m[0]);
      if (name && !/^\d/.test(name)) return name;
    }
    // A lead in the prompt's own script ("عطر العود الملكي: …"): the name the ad is for.
    const own = /^([^:：;；,，、،.。!！?？\n]{2,30})[:：]/u.exec(text)?.[1]?.trim();
    if (own && !/\p{N}/u.test(own) && words(own).length <= 4 && !LABELS.test(own)) return own;
    return undefined;
  }
  // 3. A lead "Café Olé: …" of capitalised words.
  const lead = /^([^:;,.!?\n—–|-]{2,40})(?::|\s[—–|-])\s/u.exec(text)?.[1]?.trim();
  if (lead && !/\d/.test(lead)) {
    const parts = words(lead);
    const name = nameOk(lead);
    if (
      name &&
      parts.length <= 4 &&
      parts.every((w) => LATIN_NAME_WORD.test(w)) &&
      (parts.length > 1 || /\p{Lu}.*\p{Lu}/u.test(lead) || nlp(lead).has("#ProperNoun"))
    )
      return name;
  }
  // 4. "by Acme", "from Acme", "por Acme".
  const by = /(?:^|\s)(?:by|from|por)\s+(\p{Lu}[\p{L}\p{M}&'’-]*(?:\s+\p{Lu}[\p{L}\p{M}&'’-]*){0,2})/u.exec(
    text,
  );
  if (by?.[1]) {
    const name = nameOk(by[1]);
    if (name && !nlp(name).has("#Place")) return name;
  }
  // 5. CamelCase ("ClaimFast", "SnapShelf") and 6. all-caps names ("KŌYA"), unless shouting.
  const letters = text.match(/\p{L}/gu)?.length ?? 1;
  const shouting = (text.match(/\p{Lu}/gu)?.length ?? 0) / letters > 0.5;
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])\p{Lu}\p{Ll}+(?:\p{Lu}[\p{L}]*)+(?![\p{L}\p{N}])/gu)) {
    const name = nameOk(m[0]);
    if (name) return name;
  }
  if (!shouting)
    for (const m of text.matchAll(/(?<![\p{L}\p{N}'’])\p{Lu}[\p{Lu}\p{M}&]{2,}(?![\p{L}\p{N}])/gu)) {
      const name = nameOk(m[0]);
      if (name) return name;
    }
  // 7. Spanish capitalises only names: a capitalised word (or two) inside a sentence is one
  // ("Zapatillas de running Veloz"), unless it follows a preposition ("en Madrid", "a todo México") or is a place compromise knows.
  if (language === "es") {
    for (const m of text.matchAll(
      /(?<![.!?¡¿:;]\s*|^\s*)(?<!(?:^|\s)(?:en|de|del|desde|a|para|hacia|por|todo|toda)\s+)(?<![\p{L}\p{N}])\p{Lu}[\p{Ll}\p{M}]+(?:\s+\p{Lu}[\p{Ll}\p{M}]+)?(?![\p{L}\p{N}])/gu,
    )) {
      const name = nameOk(m[0]);
      if (name && !nlp(name.normalize("NFD").replace(/\p{M}/gu, "")).has("#Place")) return name;
    }
  }
  // 8. Organisations compromise recognises ("Nike"); English only.
  if (language === "en") {
    const doc = nlp(text);
    for (const org of doc.match("#Organization+").out("array") as string[]) {
      const name = nameOk(org);
      if (name && LATIN_NAME_WORD.test(words(name)[0]!)) return name;
    }
  }
  return undefined;
}
