/**
 * Writes the overlay of each scene from a prompt's facts (`facts.ts`) and the copy bank
 * (`bank.ts`): the facts first, then category lines. The prompt's own labelled clauses
 * ("Problem: …", "Before: …") become those scenes; offers, numbers and claims fill the middle
 * scenes (two short ones share a line when there are more facts than scenes); the last scene
 * is the brand with the call to action. Every item of `facts.mustSay` lands in some overlay,
 * every overlay has at most 7 words, and the seed picks among the lines that fit.
 */
import { pick } from "../../pipeline/random.ts";
import type { CategoryName } from "../offline-planner-data.ts";
import { BANK, type BankLanguage, type CopyStage, LANGUAGE_BANKS, SHARED_LINES } from "./bank.ts";
import { capitalise, fold, type PromptFacts } from "./facts.ts";

export const MAX_OVERLAY_WORDS = 7;
const MAX_OVERLAY_CHARS = 120;

const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;
const fits = (s: string) => wordCount(s) <= MAX_OVERLAY_WORDS && s.length <= MAX_OVERLAY_CHARS;
const says = (line: string, item: string) => fold(line).includes(fold(item));

/** Fills `{slot}`s; undefined when a slot has no value. */
function fill(template: string, vars: Record<string, string | undefined>): string | undefined {
  let missing = false;
  const out = template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = vars[key];
    if (!value) missing = true;
    return value ?? "";
  });
  return missing ? undefined : out;
}

/** One fact as a line, and the mustSay items it carries. */
interface Item {
  text: string;
  covers: string[];
  offer: boolean;
}

function offerLine(offer: string, language: string, category: CategoryName, rand: () => number): string {
  const bank = LANGUAGE_BANKS[language as BankLanguage];
  if (bank) return fill(pick(rand, bank.offer), { offer }) ?? offer;
  if (/%|off$/i.test(offer))
    return pick(rand, [`${offer} today only`, `${offer} this week only`, `Now ${offer}`]);
  if (/ (?:bonus|credit|cashback|gift card)$/i.test(offer)) return `Get a ${offer}`;
  if (/\sfor\s/.test(offer)) return `${offer} this week`;
  if (category === "nonprofit" && /^[$€£¥₹]/u.test(offer)) return `Every ${offer} helps`;
  if (/^[$€£¥₹]|^\d.*(?:€|円|euros?|dollars)/u.test(offer))
    return pick(rand, [`Only ${offer}`, `Just ${offer}`]);
  return capitalise(offer);
}

function factItems(facts: PromptFacts, rand: () => number): Item[] {
  const items: Item[] = [];
  const bank = LANGUAGE_BANKS[facts.language as BankLanguage];
  for (const claim of facts.claims) {
    let text = bank ? (fill(bank.fact[0]!, { fact: claim }) ?? claim) : capitalise(claim);
    // Japanese: a count is a limited edition ("100本限定"), a time a delivery promise.
    if (facts.language === "ja" && /[本個名枚袋品]$/u.test(claim)) text = `${claim}限定`;
    const time = /[0-9٠-٩](?:\s?(?:分|時間|دقيقة|دقائق|ساعة|ساعات|minutos?|horas?))$/u.test(claim);
    if (time && facts.language === "ja") text = `${claim}でお届け`;
    if (time && facts.language === "ar") text = `خلال ${claim}`;
    if (time && facts.language === "es") text = `En ${claim}`;
    items.push({ text, covers: facts.numbers.filter((n) => says(text, n)), offer: false });
  }
  for (const n of facts.numbers)
    if (!items.some((i) => says(i.text, n))) items.push({ text: capitalise(n), covers: [n], offer: false });
  for (const offer of facts.offers)
    items.push({
      text: offerLine(offer, facts.language, facts.category, rand),
      covers: [offer],
      offer: true,
    });
  return items;
}

/** Joins two items into one line when it stays short. */
function pack(items: Item[], slots: number, language: string): Item[] {
  const joiner = language === "ja" ? "・" : language === "ar" ? "، " : ", ";
  const out = [...items];
  while (out.length > slots) {
    // The two shortest neighbours that still fit on one line.
    let best = -1;
    for (let i = 0; i + 1 < out.length; i++) {
      const joined = `${out[i]!.text}${joiner}${out[i + 1]!.text}`;
      if (!fits(joined)) continue;
      if (best < 0 || wordCount(joined) < wordCount(`${out[best]!.text}${joiner}${out[best + 1]!.text}`))
        best = i;
    }
    if (best < 0) break;
    const a = out[best]!;
    const b = out[best + 1]!;
    out.splice(best, 2, {
      text: `${a.text}${joiner}${b.text.replace(/^\p{Lu}(?=\p{Ll})/u, (c) => (/^\d/.test(b.text) ? c : c.toLocaleLowerCase()))}`,
      covers: [...a.covers, ...b.covers],
      offer: a.offer || b.offer,
    });
  }
  return out;
}

/** The lines a stage may use for this prompt, filled; at least one always fits. */
function bankLines(stage: CopyStage, category: CategoryName, facts: PromptFacts, brand: string): string[] {
  const bank = LANGUAGE_BANKS[facts.language as BankLanguage];
  const vars: Record<string, string | undefined> = {
    brand,
    Brand: capitalise(brand),
    named: facts.brand,
    Named: facts.brand ? capitalise(facts.brand) : undefined,
    np: facts.product,
    Np: capitalise(facts.product),
    Plain:
      facts.product === facts.productBare && facts.category !== "nonprofit"
        ? capitalise(facts.product)
        : undefined,
    product: facts.productBare,
    audience: facts.audience,
    Audience: facts.audience ? capitalise(facts.audience) : undefined,
    place: facts.place,
  };
  const templates = bank
    ? bank.lines[stage]
    : [...BANK[category][stage], ...(facts.language === "en" ? (SHARED_LINES[stage] ?? []) : [])];
  const filled = templates.map((t) => fill(t, vars)).filter((l): l is string => !!l && fits(l));
  return filled.length ? filled : [fill(BANK[category][stage][0]!, vars) ?? BANK.everyday[stage][0]!];
}

/** Overlay text per stage, in order. Deterministic for `rand`. */
export function writeOverlays(
  facts: PromptFacts,
  stages: string[],
  brand: string,
  rand: () => number,
): string[] {
  const lang = LANGUAGE_BANKS[facts.language as BankLanguage];
  const last = stages.length - 1;
  const lines: (string | undefined)[] = stages.map(() => undefined);

  // The action line: the brand and the call to action (the brand alone if both are too long).
  const action = lang ? (fill(lang.action, { brand, cta: facts.cta }) ?? brand) : `${brand}: ${facts.cta}`;
  lines[last] = fits(action) ? action : brand;

  // The prompt's own labelled clauses, each once (a longer ad's second solution is the bank's).
  stages.forEach((stage, i) => {
    if (i === last || stages.indexOf(stage) !== i || (facts.language !== "en" && facts.language !== "es"))
      return;
    const clause = facts.clauses[stage as keyof PromptFacts["clauses"]];
    if (!clause) return;
    const line =
      stage === "before" || stage === "after"
        ? `${stage === "before" ? (facts.language === "es" ? "Antes" : "Before") : facts.language === "es" ? "Después" : "After"}: ${clause}`
        : capitalise(clause);
    if (fits(line)) lines[i] = line;
  });

  // Facts not said yet, into the free middle scenes; offers go nearest the action.
  const said = () => lines.filter((l): l is string => !!l);
  let items = factItems(facts, rand).filter(
    (item) => !item.covers.length || item.covers.some((c) => !said().some((l) => says(l, c))),
  );
  items = [...items.filter((i) => !i.offer), ...items.filter((i) => i.offer)];
  const free = stages.map((_, i) => i).filter((i) => i > 0 && i < last && !lines[i]);
  items = pack(items, free.length, facts.language);
  // A prompt that opens with its offer, or more facts than middle scenes: the opening takes
  // one ("50% OFF running shoes").
  const leadOffer = facts.offers[0] && fold(facts.text).startsWith(fold(facts.offers[0]));
  if ((items.length > free.length || leadOffer) && items.length && !lines[0]) {
    const item = Math.max(
      0,
      items.findIndex((i) => i.offer),
    );
    const chosen = items[item]!;
    const withProduct =
      facts.language === "en" && chosen.offer && (facts.plural || facts.product === facts.productBare)
        ? `${facts.offers.find((o) => chosen.covers.includes(o)) ?? ""} ${facts.productBare}`.trim()
        : undefined;
    lines[0] = withProduct && fits(withProduct) ? withProduct : chosen.text;
    items.splice(item, 1);
  }
  free.forEach((slot, k) => {
    const item = items[k];
    if (item) lines[slot] = item.text;
  });
  // Anything still left rides on the action line when it fits there.
  for (const item of items.slice(free.length)) {
    const joined: string = `${lines[last]} · ${item.text}`;
    if (fits(joined)) lines[last] = joined;
  }

  // Category lines for the rest, never the same line twice nor the audience twice.
  const used = new Set(said());
  stages.forEach((stage, i) => {
    if (lines[i]) return;
    const audienceSaid = !!facts.audience && [...used].some((l) => says(l, facts.audience!));
    let options = bankLines(stage as CopyStage, facts.category, facts, brand).filter(
      (l) => !used.has(l) && !(audienceSaid && says(l, facts.audience!)),
    );
    // The interest beat names the audience or place when the prompt gives one.
    const fresh = [facts.audience, facts.place].filter(
      (f): f is string => !!f && ![...used].some((l) => says(l, f)),
    );
    const specific = options.filter((l) => fresh.some((f) => says(l, f)));
    if (stage === "interest" && specific.length) options = specific;
    // A stage whose lines are used up (a longer ad's second beat) borrows unused desire or
    // interest lines of the same category.
    for (const spare of ["desire", "interest", "attention"] as const)
      if (!options.length)
        options = bankLines(spare, facts.category, facts, brand).filter((l) => !used.has(l));
    const line = options.length
      ? pick(rand, options)
      : bankLines(stage as CopyStage, facts.category, facts, brand)[0]!;
    lines[i] = line;
    used.add(line);
  });
  // A safety net: a mustSay item still missing joins a line it fits on, else takes a bank line.
  const carrying = new Set(said().filter((l) => facts.mustSay.some((m) => says(l, m))));
  for (const item of facts.mustSay) {
    if (lines.some((l) => says(l!, item))) continue;
    const at = lines.findIndex((l) => fits(`${l} · ${item}`));
    if (at >= 0) lines[at] = `${lines[at]} · ${item}`;
    else {
      const free = lines.findIndex((l, i) => i < last && !carrying.has(l!));
      if (free >= 0) lines[free] = capitalise(item);
      carrying.add(capitalise(item));
    }
  }
  return lines.map((l) => l!.slice(0, MAX_OVERLAY_CHARS));
}
