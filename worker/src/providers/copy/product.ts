/**
 * The product noun phrase (with its number: "running shoes", "a can of cold brew coffee"),
 * audience ("busy students"), place ("Montréal") and time claims ("Pays in 24h") of a prompt.
 * English uses compromise's noun phrases and tags; Spanish, Japanese and Arabic simple rules.
 */
import nlp from "compromise";
import type { Category, CategoryName } from "../offline-planner-data.ts";
import { isPlatform } from "./brand.ts";
import { type Found, isPluralWord } from "./numbers.ts";
import { capitalise, collapse, escapeRe, type Language, trimPunct, words } from "./text.ts";

/** Words that describe the ad rather than the product. */
const AD_WORDS = new Set(
  "ad ads advert advertisement commercial video clip promo promotion campaign spot reel reels story post launch teaser deal deals sale sales offer offers discount discounts brand product products something thing instagram tiktok youtube facebook linkedin snapchat shorts today tonight".split(
    " ",
  ),
);
const MOOD_WORDS = new Set(
  "energetic fun calm bold modern elegant playful minimal minimalist cinematic luxurious vertical short epic viral catchy upbeat".split(
    " ",
  ),
);
/** Times of year: a phrase of only these is when, not what ("this winter"). */
const SEASONS = /^(?:winter|summer|spring|autumn|fall|season|holidays?|weekend|week|month|year)$/i;
/** Nouns without an article ("coffee", "storage", "insurance"). */
export const UNCOUNTABLE =
  /^(?:coffee|tea|matcha|food|insurance|storage|software|skincare|makeup|water|juice|ramen|sushi|furniture|jewelry|jewellery|clothing|apparel|footwear|gear|equipment|bread|chocolate|protein|granola|cereal|rice|pasta|wine|beer|soda|kombucha|milk|cream|shampoo|perfume|cologne|fragrance|luggage|cover|coverage|advice|training|fitness|music|delivery|cleaning|hair|skin|wellness|care|pizza|candy|honey|soap|dinner|lunch|breakfast|decor|cookware|lighting|money|banking|security|news|media|support|research|data|cash|powder|matcha|denim|support|coverage)$/i;
const CONTAINER = /(?:^|\s)in\s+(?:a|an|the)\s+(can|bottle|jar|box|bag|tin|pouch|cup|pack|tube)(?![\p{L}])/iu;

/** "a"/"an" by the sound of the next word. */
export function article(phrase: string): string {
  const first = words(phrase)[0] ?? "";
  if (
    /^(?:[AEFHILMNORSX]|[AEFHILMNORSX]\d)[A-Z\d]*$/.test(first) &&
    first.length <= 4 &&
    first === first.toUpperCase()
  )
    return /^[AEFHILMNORSX]/.test(first) ? "an" : "a";
  if (/^(?:uni|use|usu|eu|one|once)/i.test(first)) return "a";
  if (/^(?:hour|honest|honou?r|heir)/i.test(first)) return "an";
  return /^[aeiouáéíóú]/i.test(first) ? "an" : "a";
}

/** Words compromise split at hyphens, whole again as the prompt writes them ("same-day"). */
function rejoinHyphens(parts: string[], text: string): string {
  const tokens = text
    .split(/\s+/)
    .map(trimPunct)
    .filter((t) => t.includes("-"));
  const out: string[] = [];
  for (const part of parts) {
    const token = tokens.find((t) => t.toLocaleLowerCase().split("-").includes(part.toLocaleLowerCase()));
    const word = token ? caseWord(token, []) : part;
    if (out.at(-1) !== word) out.push(word);
  }
  return out.join(" ");
}

interface Product {
  bare: string;
  plural: boolean;
  uncountable: boolean;
  container?: string;
}

/** Lower-cases a plain capitalised word unless compromise knows it as a name. */
function caseWord(word: string, tags: string[]): string {
  if (!/^\p{Lu}[\p{Ll}-]+$/u.test(word)) return word;
  if (tags.some((t) => t === "Place" || t === "Person" || t === "Organization")) return word;
  return word.toLocaleLowerCase();
}

export function englishProduct(text: string, category: Category): Product | undefined {
  const doc = nlp(text);
  const phrases: { words: string[]; plural: boolean; uncountable: boolean; tags: string[][] }[] = [];
  for (const np of doc.nouns().json() as { terms: { text: string; tags: string[] }[] }[]) {
    const kept: { text: string; tags: string[] }[] = [];
    for (const t of np.terms) {
      const w = trimPunct(t.text);
      const lower = w.toLocaleLowerCase();
      if (!w || !/\p{L}/u.test(w)) continue;
      if (t.tags.includes("Preposition")) break;
      const hyphenated = t.tags.includes("Hyphenated");
      if (
        t.tags.some((tag) => ["Determiner", "Possessive", "Pronoun", "Conjunction"].includes(tag)) ||
        (!hyphenated && t.tags.some((tag) => tag === "Value" || (tag === "Date" && t === np.terms.at(-1))))
      )
        continue;
      if (AD_WORDS.has(lower) || MOOD_WORDS.has(lower) || isPlatform(w)) continue;
      kept.push({ text: w, tags: t.tags });
    }
    if (!kept.length || kept.every((k) => k.tags.includes("Date") || SEASONS.test(k.text))) continue;
    const last = kept.at(-1)!;
    const lastLower = last.text.toLocaleLowerCase();
    phrases.push({
      words: kept.map((k) => caseWord(k.text, k.tags)).slice(-5),
      plural: last.tags.includes("Plural") && !UNCOUNTABLE.test(lastLower),
      uncountable: UNCOUNTABLE.test(lastLower) || last.tags.includes("Uncountable"),
      tags: kept.map((k) => k.tags),
    });
  }
  const usable = phrases.filter(
    (p) => !(p.words.length === 1 && p.tags[0]!.some((t) => t === "Place" || t === "Person")),
  );
  let chosen = usable.find((p) => category.keywords.test(p.words.join(" ")));
  if (!chosen && category.name !== "everyday") {
    // The category's own word with up to two words before it ("emergency repairs").
    const hit = category.keywords.exec(text);
    if (hit && !/(?:ed|ing)$/i.test(hit[0])) {
      const before = words(text.slice(0, hit.index).replace(/[^\p{L}\p{N}\s'-]+/gu, " ")).slice(-2);
      const lead = before.filter((_, i) =>
        before
          .slice(i)
          .every(
            (x) =>
              !/^(?:the|a|an|our|your|my|for|with|in|on|of|and|to|by)$/i.test(x) &&
              nlp(x).has("(#Adjective|#Noun)") &&
              !nlp(x).has("#Pronoun"),
          ),
      );
      const phrase = [...lead, hit[0]].map((w) => caseWord(w, [])).join(" ");
      const last = hit[0].toLocaleLowerCase();
      chosen = {
        words: phrase.split(" "),
        plural: isPluralWord(last) && !UNCOUNTABLE.test(last),
        uncountable: UNCOUNTABLE.test(last),
        tags: [],
      };
    }
  }
  chosen ??= usable[0];
  if (!chosen) return undefined;
  let bare = rejoinHyphens(chosen.words, text);
  if (bare.length > 48) bare = bare.slice(0, 48).replace(/\s+\S*$/, "");
  const container = CONTAINER.exec(
    text.slice(text.toLocaleLowerCase().indexOf(bare.toLocaleLowerCase())),
  )?.[1];
  return {
    bare,
    plural: chosen.plural,
    uncountable: chosen.uncountable,
    ...(container ? { container: container.toLocaleLowerCase() } : {}),
  };
}

const SPANISH_LEAD = /^(?:anuncio|publicidad|v[ií]deo|comercial|promo)\s+(?:de|para|sobre)\s+/iu;
const SPANISH_ARTICLE =
  /^(?:el|la|los|las|un|una|unos|unas|nuestro|nuestra|nuestros|nuestras|tu|tus|mi|mis)\s+/iu;

export function otherProduct(text: string, language: Language, category: Category): string | undefined {
  const segments = text
    .split(language === "ja" || language === "zh" ? /[、。,.!！?？:：;；\s]+/u : /[,.;:!?¡¿،؛؟\n]+/u)
    .map((s) => collapse(s))
    .filter((s) => /\p{L}/u.test(s));
  const cleanSegment = (s: string) => {
    let out = s;
    if (language === "es") {
      out = out.replace(SPANISH_LEAD, "").replace(SPANISH_ARTICLE, "");
      out = out.split(/\s+(?:para|en|con descuento|ahora)\s+/iu)[0]!;
      out = words(out).slice(0, 5).join(" ");
      out = /^\p{Lu}\p{Ll}+(?:\s|$)/u.test(out) ? out.replace(/^\p{Lu}/u, (c) => c.toLocaleLowerCase()) : out;
    } else if (language === "ja" || language === "zh") {
      out = out
        .replace(/(?:の)?(?:広告|動画|CM|宣伝|プロモーション|キャンペーン)(?:を|です)?/gu, "")
        .replace(/^(?:新しい|新)/u, "")
        .replace(/ブランド(?:の)?/gu, "")
        .replace(/[のをにはがで用向け]+$/u, "");
      out = out.slice(0, 20);
    } else if (language === "ar") {
      out = words(out.replace(/^(?:إعلان|اعلان|فيديو)\s+(?:عن|ل|ل\S+)?\s*/u, ""))
        // Not "لل…" (for the…), nor a prefix letter an offer taken out left behind ("ب" of "بخصم").
        .filter((w) => !/^لل/u.test(w) && [...w].length > 1)
        .slice(0, 4)
        .join(" ");
    } else {
      out = words(out).slice(0, 5).join(" ");
    }
    return trimPunct(out);
  };
  const cleaned = segments.map(cleanSegment).filter((s) => s && /\p{L}/u.test(s) && !isPlatform(s));
  return cleaned.find((s) => category.keywords.test(s)) ?? cleaned[0];
}

export function findAudience(text: string, language: Language): string | undefined {
  if (language === "es") {
    const m = /\bpara\s+((?:[\p{L}-]+\s+){0,2}[\p{L}-]+)/iu.exec(text);
    if (m && !isPlatform(m[1]!)) return m[1]!.toLocaleLowerCase();
    return undefined;
  }
  if (language !== "en") return undefined;
  for (const m of text.matchAll(/(?:^|\s)for\s+((?:[\p{L}'-]+\s+){0,2}[\p{L}'-]+)/giu)) {
    const phrase = trimPunct(m[1]!);
    const doc = nlp(phrase);
    const terms = doc.terms().json() as { text: string; terms: { tags: string[] }[] }[];
    // Up to the first plural noun or person word: "busy students", "dentists", "senior dogs".
    const out: string[] = [];
    for (const t of terms) {
      const tags = t.terms[0]?.tags ?? [];
      const w = trimPunct(t.text);
      if (tags.includes("Determiner") || tags.includes("Possessive")) continue;
      out.push(w);
      if (tags.includes("Plural") || tags.includes("Actor")) {
        if (tags.includes("Date") || isPlatform(w)) break;
        const audience = rejoinHyphens(out, text);
        return /^\p{Lu}\p{Ll}+$/u.test(out[0]!) ? audience.toLocaleLowerCase() : audience;
      }
      if (!tags.includes("Adjective") && !tags.includes("Noun") && !tags.includes("Hyphenated")) break;
    }
  }
  return undefined;
}

export function findPlace(text: string, language: Language): { place?: string; claim?: string } {
  if (language !== "en") return {};
  const doc = nlp(text);
  const place = (doc.places().out("array") as string[]).map(trimPunct).find((p) => p && !isPlatform(p));
  if (!place) return {};
  const verb = new RegExp(`(?:^|\\s)([\\p{L}]+ed)\\s+in\\s+${escapeRe(place)}`, "iu").exec(text)?.[1];
  return { place, ...(verb ? { claim: `${capitalise(verb.toLocaleLowerCase())} in ${place}` } : {}) };
}

/** "Pays in 24h", "Delivered in 30 minutes": a time with the verb before it, when there is one. */
export function timeClaim(
  text: string,
  time: Found,
  category: CategoryName,
  language: Language,
): string | undefined {
  if (language !== "en") return undefined;
  const m = new RegExp(
    `(?:^|\\s)((?:[\\p{L}]+\\s+){0,3})(in|within|under)\\s+(?:just\\s+|only\\s+)?${escapeRe(time.raw.trim())}`,
    "iu",
  ).exec(text);
  const before = words(m?.[1] ?? "");
  const verbAt = before.findIndex((w) => nlp(w).has("#Verb") && !nlp(w).has("#Auxiliary"));
  if (m && verbAt >= 0) {
    const phrase = before.slice(verbAt).join(" ");
    return `${capitalise(phrase.replace(/^\p{Lu}\p{Ll}+/u, (w) => w.toLocaleLowerCase()))} ${m[2]!.toLocaleLowerCase()} ${time.say}`;
  }
  if (category === "delivery" || category === "food") return `At your door in ${time.say}`;
  return undefined;
}
