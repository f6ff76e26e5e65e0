/**
 * What work will cost before it starts, with the providers this environment would choose,
 * through the one price table: a whole generation (the dashboard's estimate, the budget check)
 * or the video of an approved storyboard.
 */
import type { Env } from "../env.ts";
import { type Providers, providersFromEnv } from "../providers/index.ts";
import { estimateCost, videoCost } from "./prices.ts";
import { clipDuration } from "./scene-plan.ts";
import type { GenerationSettings } from "./settings.ts";
import type { ScenePlan } from "./spec.ts";

/** One generation with `settings`, from prompt to finished ad, with `providers` (chosen once per request). */
export function quoteGeneration(
  { llm, video }: Pick<Providers, "llm" | "video">,
  settings: Pick<GenerationSettings, "duration_s" | "enhanced_planning">,
) {
  return {
    ...estimateCost({
      llmModel: llm.model,
      videoModel: video.models[0] ?? "unknown",
      durationS: settings.duration_s,
      enhancedPlanning: settings.enhanced_planning,
    }),
    providers: { llm: `${llm.name}:${llm.model}`, video: `${video.name}:${video.models.join(",")}` },
  };
}

/** The clips an approved storyboard will render: every scene at the first model of the chain. */
export function quoteApproval(env: Env, plan: ScenePlan) {
  const { video } = providersFromEnv(env);
  const model = video.models[0] ?? "unknown";
  const clips = plan.scenes.map((_, i) => ({
    scene: i,
    seconds: video.billedSeconds(model, clipDuration(plan, i)),
  }));
  const total = clips.reduce((sum, c) => sum + videoCost(model, c.seconds), 0);
  return { currency: "USD" as const, model, clips, total: Math.round(total * 1e6) / 1e6 };
}
