/**
 * What work will cost before it starts, with the providers this environment would choose,
 * through the one price table: a whole generation (the dashboard's estimate, the budget check)
 * or the video of an approved storyboard (only what a re-render cannot reuse).
 */
import type { Env } from "../env.ts";
import { type Providers, providersFromEnv } from "../providers/index.ts";
import { finishedVersions, type ViewSource } from "../views/generation.ts";
import { clipIdentity, reusableClip } from "./clip-identity.ts";
import { estimateCost, videoCost } from "./prices.ts";
import { clipDuration } from "./scene-plan.ts";
import { type GenerationSettings, outputSize } from "./settings.ts";

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

/**
 * The clips an approved storyboard will render: every scene at the first model of the chain,
 * except, for a draft of a finished ad's next version, the clips it reuses from earlier versions.
 */
export function quoteApproval(env: Env, s: ViewSource) {
  const plan = s.plan;
  if (!plan) throw new Error("no plan to quote");
  const { video } = providersFromEnv(env);
  const model = video.models[0] ?? "unknown";
  const { width, height } = outputSize(s.settings.aspect_ratio);
  const versions = finishedVersions(s);
  const clips = plan.scenes.map((scene, i) => {
    const need = clipDuration(plan, i);
    const identity = clipIdentity(video, {
      scene,
      width,
      height,
      referenceAsset: s.settings.reference_image,
    });
    const reused = reusableClip(versions, identity, need) !== null;
    return { scene: i, seconds: reused ? 0 : video.billedSeconds(model, need), reused };
  });
  const total = clips.reduce((sum, c) => sum + videoCost(model, c.seconds), 0);
  return { currency: "USD" as const, model, clips, total: Math.round(total * 1e6) / 1e6 };
}
