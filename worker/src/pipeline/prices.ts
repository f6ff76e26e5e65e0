/**
 * The one price table. Costs are computed from each provider's own usage figures (tokens,
 * seconds of video) so the bill matches what the providers charge us.
 */
import type { LlmUsage } from "../providers/types.ts";

/** USD per million tokens [input, output]. */
const LLM_PRICES: Record<string, [number, number]> = {
  "gpt-4o-mini": [0.15, 0.6],
  "gpt-4o": [2.5, 10],
  "gpt-4.1-mini": [0.4, 1.6],
  "gpt-4.1": [2, 8],
  "template-planner-v1": [0, 0],
};

/** USD per second of generated video. */
const VIDEO_PRICES: Record<string, number> = {
  "minimax/video-01": 0.5 / 6,
  "kwaivgi/kling-v1.6-standard": 0.05,
  "motion-renderer-v1": 0,
};

/** USD per image (storyboard keyframes, reference candidates). */
const IMAGE_PRICES: Record<string, number> = {
  "black-forest-labs/flux-schnell": 0.003,
  "google/imagen-4": 0.04,
  "motion-renderer-v1": 0,
};

/** USD of render-container time per second of output (local and container alike: ours). */
export const COMPOSE_PRICE_PER_SECOND = 0;

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Cost of an LLM call; unknown models are priced like the most expensive known one. */
export function llmCost(model: string, usage: LlmUsage): number {
  const [inPrice, outPrice] = LLM_PRICES[model] ?? [2.5, 10];
  return round6((usage.inputTokens * inPrice + usage.outputTokens * outPrice) / 1e6);
}

/** Cost of generated video seconds; unknown models are priced like the most expensive known one. */
export function videoCost(model: string, seconds: number): number {
  const perSecond = VIDEO_PRICES[model] ?? Math.max(...Object.values(VIDEO_PRICES));
  return round6(perSecond * seconds);
}

/** Cost of generated images; unknown models are priced like the most expensive known one. */
export function imageCost(model: string, images: number): number {
  const perImage = IMAGE_PRICES[model] ?? Math.max(...Object.values(IMAGE_PRICES));
  return round6(perImage * images);
}

/** A per-stage, per-scene cost breakdown, stored with the generation. */
export interface CostBreakdown {
  enhance: number;
  plan: number;
  /** Storyboard keyframes (and their redraws); absent on generations made before storyboards. */
  keyframes?: number;
  clips: { scene: number; model: string; seconds: number; cost: number }[];
  compose: number;
  total: number;
}

/** Sums a breakdown's parts into its total. */
export function totalOf(b: Omit<CostBreakdown, "total">): number {
  return round6(
    b.enhance + b.plan + (b.keyframes ?? 0) + b.clips.reduce((s, c) => s + c.cost, 0) + b.compose,
  );
}

/**
 * The cost known before a job starts: typical token counts for the LLM stages plus the
 * video seconds of the chosen duration at the first model of the chain.
 */
export function estimateCost(input: {
  llmModel: string;
  videoModel: string;
  durationS: number;
  enhancedPlanning: boolean;
}): { total: number; llm: number; video: number } {
  const typical: LlmUsage = { inputTokens: 900, outputTokens: 700 };
  const llm = llmCost(input.llmModel, typical) * (input.enhancedPlanning ? 2 : 1);
  // Each scene but the last overlaps its neighbour by 0.5 s of crossfade.
  const scenes = input.durationS > 15 ? 5 : 4;
  const video = videoCost(input.videoModel, input.durationS + (scenes - 1) * 0.5);
  return { total: round6(llm + video), llm: round6(llm), video };
}
