/**
 * The offline LLM provider: a planner that writes a real ad specification from the prompt
 * without any network. The prompt's facts (`copy/facts.ts`: brand as written, product noun
 * phrase, offers, numbers, audience, place, language, category, call to action; English
 * parsing with compromise) fill category copy per framework stage (`copy/bank.ts`,
 * `copy/write.ts`); a brand is invented only when the prompt names none, and is then marked
 * `invented`. Colours and mood come from the category. Deterministic for (prompt, seed,
 * duration). Costs nothing.
 */

import { hashString, pick, seededRandom } from "../pipeline/random.ts";
import { type AdSpecification, AdSpecificationSchema, FRAMEWORK_STAGES } from "../pipeline/spec.ts";
import { categorize, chooseFramework, promptFacts } from "./copy/facts.ts";
import { writeOverlays } from "./copy/write.ts";
import { CATEGORIES, STAGE_SHOT } from "./offline-planner-data.ts";
import { refineSceneOffline } from "./offline-refine.ts";
import type { LlmProvider, SpecRequest } from "./types.ts";

export { categorize, chooseFramework };

/**
 * Each word's first letter upper-cased, the rest left as written: "café olé" -> "Café Olé",
 * "ClaimFast" stays, "don't" -> "Don't" (a letter after an apostrophe or accent is no word start).
 */
export const titleCase = (s: string) =>
  s.replace(/(?<![\p{L}\p{M}\p{N}'’])\p{Ll}/gu, (ch) => ch.toLocaleUpperCase());

/** The product phrase without article: the prompt without brand, offers, platforms and ad words. */
export const extractProduct = (prompt: string): string => promptFacts(prompt).productBare;

/** Writes the specification for a prompt; pure and deterministic for (prompt, seed, duration). */
export function planOffline(request: SpecRequest): AdSpecification {
  const rand = seededRandom(hashString(request.prompt) ^ request.seed);
  const facts = promptFacts(request.prompt);
  const category = CATEGORIES.find((c) => c.name === facts.category) ?? categorize(facts.text);
  const framework = facts.framework;
  const brand = facts.brand ?? pick(rand, category.brandStems);
  const setting = pick(rand, category.settings);
  const colours = pick(rand, category.palettes);
  // 15 s ads keep four beats; longer ads add a second desire/solution beat (five scenes).
  const stages = [...FRAMEWORK_STAGES[framework]];
  if (request.durationS > 15)
    stages.splice(stages.length - 1, 0, framework === "AIDA" ? "desire" : "solution");
  const overlays = writeOverlays(facts, stages, brand, rand);
  const scenes = stages.map((type, i) => ({
    type,
    overlay_text: overlays[i]!,
    visual_prompt:
      `${(STAGE_SHOT[type] ?? "{product}").replaceAll("{product}", facts.product)}, ${setting}, ${category.style}, vertical 9:16 framing, brand colours`.slice(
        0,
        600,
      ),
  }));
  const audience = facts.audience
    ? `${facts.audience} on ${facts.platform}`
    : `${facts.platform} viewers interested in ${category.name === "everyday" ? facts.productBare : category.name}`;
  return AdSpecificationSchema.parse({
    product: facts.product.slice(0, 120),
    brand: {
      name: brand.slice(0, 60),
      invented: facts.brandInvented,
      colours,
      mood: category.mood,
      visual_style: category.style,
    },
    audience: audience.slice(0, 160),
    platform: facts.platform,
    framework,
    target_duration_s: request.durationS,
    call_to_action: facts.cta,
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
