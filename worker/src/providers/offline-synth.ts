/**
 * The render container's motion renderer (`POST /synthesize`) as the offline providers use it:
 * one scene's look from the brand colours, mood, scene type and text (or a Ken Burns move over
 * a reference image), as a clip, a still, or both. Runs on this machine and costs nothing.
 */
import { CONTRACT_VERSION, type SynthesizeJobInput } from "@promptreel/render-container/contract";
import type { Env } from "../env.ts";
import type { PlannedScene } from "../pipeline/spec.ts";
import { readFile, runJob, stageFile } from "../render/client.ts";
import type { ClipRequest } from "./types.ts";

/** What the renderer draws a scene from. */
export type SynthScene = Pick<ClipRequest, "brand" | "width" | "height" | "durationS"> & {
  scene: PlannedScene;
  fps?: number;
  referenceImageKey?: string | null;
  /** Text drawn over the still (a reference candidate's "Offline draft"); scenes draw none. */
  label?: string;
};

/** Runs one synthesis job for `input`, writing `output` into the job's staging space. */
export async function synthesize(
  env: Env,
  jobId: string,
  input: SynthScene,
  output: SynthesizeJobInput["output"],
  signal: AbortSignal,
): Promise<void> {
  let image: { file: string } | undefined;
  if (input.referenceImageKey) {
    const object = await env.MEDIA.get(input.referenceImageKey);
    if (!object) throw new Error("The reference image no longer exists");
    await stageFile(env, jobId, "reference", object.body, object.size);
    image = { file: "reference" };
  }
  const job: SynthesizeJobInput = {
    version: CONTRACT_VERSION,
    job_id: jobId,
    width: input.width,
    height: input.height,
    fps: input.fps ?? 24,
    duration_s: input.durationS,
    seed: input.scene.seed,
    scene: {
      // The scene's own number, not its position: a scene keeps its look when it is moved.
      index: input.scene.seed % 51,
      type: input.scene.type,
      // No overlay text: compose draws it, so editing it never needs a new clip. The large
      // background word is then the brand's.
      text: input.label ?? "",
      visual_prompt: input.scene.visual_prompt,
    },
    brand: input.brand,
    ...(image ? { image } : {}),
    output,
  };
  await runJob(env, "synthesize", job, { signal });
}

/** A staged output of a finished job, with its length when the container sent one. */
export async function stagedOutput(env: Env, jobId: string, name: string) {
  const file = await readFile(env, jobId, name);
  if (!file.body) throw new Error(`the render container sent no body for ${name}`);
  return { body: file.body, size: Number(file.headers.get("content-length")) || undefined };
}
