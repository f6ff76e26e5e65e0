/**
 * What a one-line prompt says, as facts the copy can be written from: the brand as written,
 * the product noun phrase with its article, offers and numbers, claims, audience, place,
 * platform, language, category, the natural call to action and the framework.
 *
 * English part-of-speech work (noun phrases, plurals, places, organisations, verbs before
 * "in 24h") uses compromise (https://github.com/spencermountain/compromise): plain
 * JavaScript with no native code, so it runs in Workers, small enough for the bundle, and
 * good at exactly this (POS tagging, noun phrases, number parsing). Markup and code are
 * removed first (`clean.ts`); then `text.ts` (language), `numbers.ts` (offers, numbers),
 * `brand.ts`, `product.ts` (product, audience, place) each read one kind of fact.
 *
 * `mustSay` is what the render container's QC checks: each item must appear in at least one
 * overlay (case- and accent-insensitive substring).
 */
import nlp from "compromise";
import type { Framework } from "../../pipeline/spec.ts";
import { CATEGORIES, type Category, type CategoryName, PLATFORMS } from "../offline-planner-data.ts";
import { findBrand } from "./brand.ts";
import { cleanPrompt } from "./clean.ts";
import { findNumbers, findOffers, NUM, TIME_UNITS } from "./numbers.ts";
import { article, englishProduct, findAudience, findPlace, otherProduct, timeClaim } from "./product.ts";
import {
  capitalise,
  collapse,
  dedupe,
  detectLanguage,
  escapeRe,
  fold,
  type Language,
  removeAll,
  trimPunct,
  words,
} from "./text.ts";

export { capitalise, detectLanguage, fold, type Language };

/** Clauses a prompt labels itself ("Problem: claims take months"). */
export type LabelledClause = "problem" | "solution" | "before" | "after";

export interface PromptFacts {
  /** The prompt without markup, code, links, emoji and invisible characters. */
  text: string;
  language: Language;
  category: CategoryName;
  /** The brand as the prompt writes it (own case, accents and script), if it names one. */
  brand?: string;
  /** True when the prompt names no brand, so the planner has to invent one. */
  brandInvented: boolean;
  /** The product noun phrase with its article: "a luxury watch", "running shoes". */
  product: string;
  /** The same without article: "luxury watch". */
  productBare: string;
  /** Whether the product takes plural agreement ("running shoes are"). */
  plural: boolean;
  /** Offers as shown on screen: "50% OFF", "$20 off", "€15", "Free shipping". */
  offers: string[];
  /** Other numbers as shown on screen: "3 blends", "100% guarantee", "24h", "30 minutes". */
  numbers: string[];
  /** Short on-screen claims built around the numbers and places: "Pays in 24h", "Roasted in Montréal". */
  claims: string[];
  /** Clauses the prompt labels itself, cut to fit an overlay. */
  clauses: Partial<Record<LabelledClause, string>>;
  audience?: string;
  place?: string;
  platform: string;
  cta: string;
  framework: Framework;
  /** The brand (if named), each offer and each number: every one must reach an overlay. */
  mustSay: string[];
}

// ---------------------------------------------------------------------------------------------
// Framework and call to action

const PROBLEM_WORDS =
  /\b(tired of|sick of|struggl\w*|problem|pain|hate|annoy\w*|frustrat\w*|stop (?!scrolling)\w+ing|no more|fix|solve\w*|never again|can't|cannot|without the)\b|cansad[oa]s? de|harto de|problema|悩み|困って|もう.+ない|مشكلة|تعبت/iu;
const TRANSFORM_WORDS =
  /\b(before\s*(?::|and after|\/\s*after|&\s*after)|after\s*:|transform\w*|makeover|upgrade from|glow[- ]up|switch(ing)? to)|antes y después|antes\s*:|ビフォー|アフター|قبل وبعد/iu;

/** Chooses the framework by the intent the prompt expresses. */
export function chooseFramework(prompt: string): Framework {
  if (TRANSFORM_WORDS.test(prompt)) return "BAB";
  if (PROBLEM_WORDS.test(prompt)) return "PAS";
  return "AIDA";
}

/** The first category whose keywords the prompt mentions (the last one matches anything). */
export const categorize = (prompt: string): Category =>
  CATEGORIES.find((c) => c.keywords.test(prompt)) ?? CATEGORIES.at(-1)!;

const CTA_TRANSLATIONS: Record<string, Partial<Record<Language, string>>> = {
  "Donate today": { es: "Dona hoy", ja: "今すぐ寄付する", ar: "تبرع اليوم" },
  "Book a demo": { es: "Reserva una demo", ja: "デモを予約", ar: "احجز عرضا تجريبيا" },
  "Get a quote": { es: "Pide presupuesto", ja: "無料で見積もり", ar: "اطلب عرض سعر" },
  "Enroll today": { es: "Inscríbete hoy", ja: "今すぐ申し込む", ar: "سجل اليوم" },
  "Download free": { es: "Descarga gratis", ja: "無料でダウンロード", ar: "حمل مجانا" },
  "Book now": { es: "Reserva ahora", ja: "今すぐ予約", ar: "احجز الآن" },
  "Order now": { es: "Pide ahora", ja: "今すぐ注文", ar: "اطلب الآن" },
  "Shop now": { es: "Compra ahora", ja: "今すぐ購入", ar: "تسوق الآن" },
  "Discover the collection": { es: "Descubre la colección", ja: "コレクションを見る", ar: "اكتشف المجموعة" },
  "Start today": { es: "Empieza hoy", ja: "今日から始めよう", ar: "ابدأ اليوم" },
};

function callToAction(text: string, category: Category, language: Language): string {
  let cta = category.cta;
  if (
    category.name === "services" &&
    /\b(?:salon|barber\w*|massage|spa|appointments?|dentist|dental|clinic|haircuts?|photo\w*)\b/i.test(text)
  )
    cta = "Book now";
  if (category.name !== "saas" && /\b(?:app|apps)\b|アプリ|تطبيق|aplicación/iu.test(text))
    cta = "Download free";
  return CTA_TRANSLATIONS[cta]?.[language] ?? cta;
}

// ---------------------------------------------------------------------------------------------
// Labelled clauses

function labelledClauses(text: string): Partial<Record<LabelledClause, string>> {
  const out: Partial<Record<LabelledClause, string>> = {};
  const re =
    /(?:^|[.!?;]\s*|\s)(problem|solution|before|after|antes|después|problema|solución)\s*:\s*([^.!?;\n]+)/giu;
  const names: Record<string, LabelledClause> = {
    problem: "problem",
    problema: "problem",
    solution: "solution",
    solución: "solution",
    before: "before",
    antes: "before",
    after: "after",
    después: "after",
  };
  const question = /^([^.!?]{3,60})\?/u.exec(text)?.[1];
  if (question && PROBLEM_WORDS.test(question) && words(question).length <= 6)
    out.problem = `${trimPunct(question)}?`;
  for (const m of text.matchAll(re)) {
    const key = names[m[1]!.toLocaleLowerCase()];
    if (!key || out[key]) continue;
    // Up to the next label, without quotes or dashes; a clause of only small words is no clause.
    let clause = collapse(
      trimPunct(
        m[2]!
          .split(/(?:^|\s)(?:problem|solution|before|after|antes|después|problema|solución)\b/iu)[0]!
          .replace(/["“”«»「」『』]|\s[—–-]\s|^[—–-]\s/gu, " "),
      ),
    );
    if (
      !words(clause).some(
        (w) =>
          /\p{L}{3,}|[\p{Script=Han}\p{Script=Arabic}]/u.test(w) &&
          !/^(?:the|and|for|with|from|into|donate)$/i.test(w),
      )
    )
      continue;
    if (words(clause).length > 5) {
      // Too long for a line: its first noun phrase ("SnapShelf modular storage").
      const np = (nlp(clause).nouns().out("array") as string[])[0];
      clause = np ? trimPunct(np) : words(clause).slice(0, 5).join(" ");
    }
    if (clause) out[key] = clause;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const MAX_OFFERS = 2;
const MAX_NUMBERS = 3;

/** The facts of a prompt. Pure and deterministic. */
export function promptFacts(prompt: string): PromptFacts {
  const text = cleanPrompt(prompt);
  const language = detectLanguage(text);
  const category = categorize(text);
  const platform = PLATFORMS.find(([re]) => re.test(text))?.[1] ?? "Instagram";
  const offersFound = findOffers(text, language);
  const offers = dedupe(offersFound.map((o) => o.say)).slice(0, MAX_OFFERS);
  const numbersFound = findNumbers(
    text,
    offersFound.map((o) => o.raw),
  );
  const numbers = dedupe(numbersFound.map((n) => n.say)).slice(0, MAX_NUMBERS);
  const brand = findBrand(text, language);

  // The product is read from the prompt without the brand, offers, platforms and labels.
  let rest = text;
  for (const o of offersFound) rest = removeAll(rest, o.raw);
  if (brand) rest = removeAll(rest, brand);
  rest = rest.replace(/(?:^|[.!?;]\s*)(?:problem|before)\s*:[^.!?;\n]*/giu, " ");
  rest = rest.replace(
    /(?:tired of|sick of|struggling with|no more|say goodbye to)\s[^.!?;,\n]*[.!?;,]?/giu,
    " ",
  );
  for (const n of numbersFound) rest = removeAll(rest, n.raw);
  rest = rest.replace(/«\s*»|“\s*”|"\s*"|「\s*」|『\s*』|\(\s*\)/gu, " ");
  rest = rest.replace(/(?:^|\s)(?:خلال|في|in|within|en)\s*(?=[,.!?،]|$)/giu, " ");
  rest = rest.replace(/\b(?:solution|after)\s*:/giu, " ").replace(/^[\s:,-]+/, "");
  for (const [re] of PLATFORMS) rest = rest.replace(new RegExp(re.source, "giu"), " ");
  const audience = findAudience(text, language);
  if (audience) rest = rest.replace(new RegExp(`(?:for|para)\\s+${escapeRe(audience)}`, "giu"), " ");
  rest = collapse(rest);

  let productBare: string;
  let product: string;
  let plural = false;
  if (language === "en") {
    // A shouted prompt is read in lower case (compromise takes capitals for names).
    const letters = rest.match(/\p{L}/gu)?.length ?? 1;
    if ((rest.match(/\p{Lu}/gu)?.length ?? 0) / letters > 0.5) rest = rest.toLocaleLowerCase();
    const p = englishProduct(rest, category);
    if (p?.container) {
      productBare = `${p.container} of ${p.bare}`;
      product = `${article(p.container)} ${productBare}`;
    } else if (p) {
      productBare = p.bare;
      plural = p.plural;
      product = p.plural || p.uncountable ? p.bare : `${article(p.bare)} ${p.bare}`;
    } else {
      productBare = category.noun;
      product = category.noun;
    }
  } else {
    productBare = otherProduct(rest, language, category) ?? category.noun;
    product = productBare;
  }

  const claims: string[] = [];
  const { place, claim: placeClaim } = findPlace(text, language);
  for (const n of numbersFound) {
    if (!numbers.includes(n.say)) continue;
    const claim = new RegExp(`^(?:${NUM})\\s?(?:${TIME_UNITS})$`, "iu").test(n.say)
      ? timeClaim(text, n, category.name, language)
      : undefined;
    claims.push(claim ?? n.say);
  }
  if (placeClaim) claims.push(placeClaim);
  return {
    text,
    language,
    category: category.name,
    ...(brand ? { brand } : {}),
    brandInvented: !brand,
    product,
    productBare,
    plural,
    offers,
    numbers,
    claims: dedupe(claims),
    clauses: labelledClauses(text),
    ...(audience ? { audience } : {}),
    ...(place ? { place } : {}),
    platform,
    cta: callToAction(text, category, language),
    framework: chooseFramework(text),
    mustSay: dedupe([...(brand ? [brand] : []), ...offers, ...numbers]),
  };
}
