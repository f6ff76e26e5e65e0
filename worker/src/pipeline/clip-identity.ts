/**
 * When two scenes make the same clip. A clip shows what its provider is asked for (provider and
 * model chain, visual prompt, seed, frame size, reference image): its *identity*. Overlay text,
 * position and order are drawn by compose, so editing them never needs a new clip. Length is
 * separate: compose trims a longer clip, and holds a short clip's last frame, which is invisible
 * within the crossfade; so a clip serves any scene of its identity that needs at most its length
 * plus one crossfade. Used by the clips stage (reuse across versions) and the approval quote.
 */
import type { ClipState, VersionRecord } from "../views/generation.ts";
import { CROSSFADE_S } from "./scene-plan.ts";
import type { PlannedScene } from "./spec.ts";

/** What a clip is made from, as the provider sees it. */
export interface ClipSubject {
  scene: Pick<PlannedScene, "visual_prompt" | "seed">;
  width: number;
  height: number;
  /** The reference image's asset id (one id per content: uploads are deduplicated by SHA-256). */
  referenceAsset: string | null;
}

/** The identity of the clip `video` makes for `subject`. */
export function clipIdentity(
  video: { name: string; models: readonly string[] },
  subject: ClipSubject,
): string {
  return JSON.stringify([
    video.name,
    video.models,
    subject.scene.visual_prompt,
    subject.scene.seed,
    subject.width,
    subject.height,
    subject.referenceAsset,
  ]);
}

/** A clip of an earlier version with `identity` that is long enough for `needS` seconds, or null. */
export function reusableClip(versions: readonly VersionRecord[], identity: string, needS: number) {
  for (const version of [...versions].reverse()) {
    const found = version.clips.find(
      (c): c is ClipState & { key: string; durationS: number } =>
        c.status === "ready" &&
        c.identity === identity &&
        c.key !== null &&
        c.durationS !== undefined &&
        c.durationS >= needS - CROSSFADE_S - 1e-6,
    );
    if (found) return { clip: found, version: version.version };
  }
  return null;
}
