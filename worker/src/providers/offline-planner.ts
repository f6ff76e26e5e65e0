/**
 * The offline LLM provider: a template planner that writes a real ad specification from the
 * prompt without any network: product and brand extraction, a framework chosen by intent
 * (problem language -> PAS, before/after -> BAB, else AIDA), colours and mood by category,
 * copy per framework stage. Deterministic for a prompt and seed. Costs nothing.
 */

import { hashString, pick, seededRandom } from "../pipeline/random.ts";
import {
  type AdSpecification,
  AdSpecificationSchema,
  FRAMEWORK_STAGES,
  type Framework,
} from "../pipeline/spec.ts";
import {
  CATEGORIES,
  type Category,
  FILLER,
  PLATFORMS,
  STAGE_COPY,
  STAGE_SHOT,
} from "./offline-planner-data.ts";
import { refineSceneOffline } from "./offline-refine.ts";
import type { LlmProvider, SpecRequest } from "./types.ts";

const PROBLEM_WORDS =
  /\b(tired of|sick of|struggl\w*|problem|pain|hate|annoy\w*|frustrat\w*|stop \w+ing|no more|fix|solve\w*|never again|can't|cannot|without the)\b/i;
const TRANSFORM_WORDS =
  /\b(before|after|transform\w*|makeover|upgrade from|from \w+ to|glow[- ]up|switch(ing)? to)\b/i;

/** Chooses the framework by the intent the prompt expresses. */
export function chooseFramework(prompt: string): Framework {
  if (TRANSFORM_WORDS.test(prompt)) return "BAB";
  if (PROBLEM_WORDS.test(prompt)) return "PAS";
  return "AIDA";
}

/** The first category whose keywords the prompt mentions (the last one matches anything). */
export const categorize = (prompt: string): Category =>
  CATEGORIES.find((c) => c.keywords.test(prompt)) ?? CATEGORIES.at(-1)!;

/** Each word capitalised (the copy's headline case). */
export const titleCase = (s: string) => s.replace(/\b\p{L}/gu, (ch) => ch.toUpperCase());

/** The product phrase: the prompt without platform names, moods and ad vocabulary. */
export function extractProduct(prompt: string): string {
  let text = prompt.split(/[,.;:!?\n]/)[0] ?? prompt;
  for (const [re] of PLATFORMS) text = text.replace(re, " ");
  text = text.replace(FILLER, " ").replace(/\s+/g, " ").trim();
  const words = text.split(" ").filter(Boolean).slice(0, 5);
  // The phrase lands in copy and prompts with length limits: at most 48 characters, cut at a word.
  let phrase = words.join(" ").toLowerCase();
  if (phrase.length > 48) phrase = phrase.slice(0, 48).replace(/\s+\S*$/, "") || phrase.slice(0, 48);
  return phrase || "our product";
}

/** A brand named in the prompt ("by Acme", "for Acme's", a quoted name), else an invented one. */
export function extractBrand(prompt: string, category: Category, rand: () => number): string {
  const quoted = /["“']([^"”']{2,40})["”']/.exec(prompt);
  if (quoted?.[1]) return quoted[1].trim();
  const by = /\b(?:by|from)\s+([A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*)?)/.exec(prompt);
  if (by?.[1]) return by[1];
  return pick(rand, category.brandStems);
}

const fill = (template: string, vars: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? "");

/** Writes the specification for a prompt; pure and deterministic for (prompt, seed, duration). */
export function planOffline(request: SpecRequest): AdSpecification {
  const rand = seededRandom(hashString(request.prompt) ^ request.seed);
  const category = categorize(request.prompt);
  const framework = chooseFramework(request.prompt);
  const productPhrase = extractProduct(request.prompt);
  const brand = extractBrand(request.prompt, category, rand);
  const platform = PLATFORMS.find(([re]) => re.test(request.prompt))?.[1] ?? "Instagram";
  const cta = pick(rand, category.cta);
  const vars = { product: productPhrase, brand, cta };
  const setting = pick(rand, category.settings);
  // 15 s ads keep four beats; longer ads add a second desire/interest beat (five scenes).
  const stages = [...FRAMEWORK_STAGES[framework]];
  if (request.durationS > 15)
    stages.splice(stages.length - 1, 0, framework === "AIDA" ? "desire" : "solution");
  const scenes = stages.map((type, i) => {
    const copy = fill(pick(rand, STAGE_COPY[type] ?? ["{product}"]), vars);
    const shot = fill(STAGE_SHOT[type] ?? "{product}", vars);
    return {
      type,
      overlay_text: i === 0 ? titleCase(copy) : copy,
      visual_prompt: `${shot}, ${setting}, ${category.style}, vertical 9:16 framing, brand colours`,
    };
  });
  return AdSpecificationSchema.parse({
    product: titleCase(productPhrase),
    brand: {
      name: brand,
      colours: pick(rand, category.palettes),
      mood: category.mood,
      visual_style: category.style,
    },
    audience: `${platform} viewers interested in ${category.name === "everyday" ? productPhrase : category.name}`,
    platform,
    framework,
    target_duration_s: request.durationS,
    call_to_action: cta,
    scenes,
  });
}

/** The offline planner as an LlmProvider. */
export function createOfflinePlanner(): LlmProvider {
  return {
    name: "offline",
    model: "template-planner-v1",
    async generateSpec(request) {
      return { spec: planOffline(request), usage: { inputTokens: 0, outputTokens: 0 } };
    },
    async refineScenes(_request, spec) {
      return { spec, usage: { inputTokens: 0, outputTokens: 0 } };
    },
    async refineScene(request) {
      return {
        scene: refineSceneOffline(request.scene, request.instruction),
        usage: { inputTokens: 0, outputTokens: 0 },
      };
    },
  };
}
