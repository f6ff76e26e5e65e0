/**
 * keyframes (storyboard workflow, up to 30 %): one still per scene, then the generation waits in
 * `storyboard` status for the user's edits and approval, holding no alarm. Runs again after an
 * edit: a keyframe whose scene still draws the same (its identity) is kept, only changed scenes
 * are redrawn.
 */
import pLimit from "p-limit";
import type { GenerationState, KeyframeState } from "../../groups/state.ts";
import { sha256Hex } from "../../lib/hash.ts";
import type { ImageProvider, KeyframeRequest } from "../../providers/types.ts";
import { keyframeKey, referenceKey } from "../media-keys.ts";
import { imageCost } from "../prices.ts";
import { clipDuration } from "../scene-plan.ts";
import { outputSize } from "../settings.ts";
import { brandOf } from "../spec.ts";
import type { StageContext } from "./context.ts";

const KEYFRAME_CONCURRENCY = 3;
const JPEG = { httpMetadata: { contentType: "image/jpeg" } };

/** What scene `index` is drawn from; equal identities draw the same keyframe. */
function keyframeRequest(s: GenerationState, index: number): KeyframeRequest {
  const { width, height } = outputSize(s.settings.aspect_ratio);
  const spec = s.spec!;
  return {
    generationId: s.id,
    scene: s.plan!.scenes[index]!,
    brand: brandOf(spec),
    width,
    height,
    durationS: clipDuration(s.plan!, index),
    referenceImageKey: s.settings.reference_image ? referenceKey(s.id) : null,
  };
}

/**
 * What scene `index`'s keyframe shows: not the scene's position or length (a move or a re-timing
 * keeps it), nor its overlay text (compose draws that over the clip; the storyboard card over
 * the keyframe).
 */
export function keyframeIdentity(
  image: Pick<ImageProvider, "name" | "model">,
  s: GenerationState,
  index: number,
) {
  const { scene, brand, width, height } = keyframeRequest(s, index);
  return JSON.stringify([
    image.name,
    image.model,
    scene.type,
    scene.visual_prompt,
    scene.seed,
    brand,
    width,
    height,
    s.settings.reference_image,
  ]);
}

async function drawKeyframe(ctx: StageContext, s: GenerationState, index: number): Promise<KeyframeState> {
  ctx.signal.throwIfAborted();
  const { image } = ctx.providers;
  const request = keyframeRequest(s, index);
  const identity = keyframeIdentity(image, s, index);
  const current = s.keyframes[index];
  if (current?.status === "ready" && current.identity === identity) return current;
  const key = keyframeKey(s.id, (await sha256Hex(identity)).slice(0, 16));
  let cost = 0;
  // Drawn before (an edit undone, or a crash after storing): not drawn or paid for twice.
  if (!(await ctx.env.MEDIA.head(key))) {
    const drawn = await image.generateKeyframe(request, {
      signal: ctx.signal,
      journal: ctx.keyframeJournal(s, index),
      store: async (body, size) => {
        await ctx.env.MEDIA.put(key, size ? body : await new Response(body).arrayBuffer(), JPEG);
      },
    });
    cost = imageCost(drawn.model, drawn.images);
  }
  return { status: "ready", key, identity, cost };
}

export async function keyframes(ctx: StageContext, s: GenerationState): Promise<void> {
  if (!s.plan || !s.spec) throw new Error("keyframes stage without a plan");
  const step = s.keyframes.some((k) => k.status === "ready") ? "Redrawing keyframes" : "Drawing keyframes";
  Object.assign(s, { progress: Math.max(s.progress, 25), currentStep: step });
  await ctx.save(s);
  const limit = pLimit(KEYFRAME_CONCURRENCY);
  const drawn = await Promise.all(s.plan.scenes.map((_, i) => limit(() => drawKeyframe(ctx, s, i))));
  const spent = drawn.reduce((sum, k, i) => sum + (k === s.keyframes[i] ? 0 : k.cost), 0);
  Object.assign(s, {
    keyframes: drawn,
    costs: { ...s.costs, keyframes: Math.round(((s.costs.keyframes ?? 0) + spent) * 1e6) / 1e6 },
    status: "storyboard",
    stage: "review",
    progress: 30,
    currentStep: "Storyboard ready for review",
  });
  ctx.log.info("storyboard ready", { scenes: drawn.length, cost: spent });
  await ctx.save(s);
}
