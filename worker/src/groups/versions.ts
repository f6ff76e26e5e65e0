/**
 * Versions of a finished ad. Editing a finished ad opens a draft of its next version, a
 * storyboard like a first one; approving it re-renders what changed. Cancelling a draft
 * discards it: the ad goes back to its latest finished version, and the draft's media (its
 * keyframes, clips and partial render) is deleted while every finished version's is kept.
 */
import { settingAssetKeys } from "../pipeline/settings-assets.ts";
import { keyframeIdentity } from "../pipeline/stages/keyframes.ts";
import type { ImageProvider } from "../providers/types.ts";
import { finishedVersions } from "../views/generation.ts";
import { type GenerationState, type KeyframeState, PENDING_CLIP, PENDING_KEYFRAME } from "./state.ts";

/**
 * Opens the next version of finished ad `s` as a storyboard. The scenes' keyframes are the
 * clips' own middle frames where their provider made one (better than a drawing: they are the
 * clips), else drawn. The draft starts with nothing spent.
 */
export function openDraft(s: GenerationState, image: Pick<ImageProvider, "name" | "model">): void {
  const versions = finishedVersions(s);
  const plan = s.plan!;
  const keyframes = plan.scenes.map((_, i): KeyframeState => {
    const identity = keyframeIdentity(image, s, i);
    const current = s.keyframes[i];
    if (current?.status === "ready" && current.identity === identity) return current;
    const poster = s.clips[i]?.posterKey;
    return poster ? { status: "ready", key: poster, identity, cost: 0 } : PENDING_KEYFRAME;
  });
  const version = (versions.at(-1)?.version ?? 1) + 1;
  const redrawing = keyframes.some((k) => k.status !== "ready");
  Object.assign(s, {
    versions,
    version,
    keyframes,
    clips: plan.scenes.map(() => PENDING_CLIP),
    costs: { enhance: 0, plan: 0, keyframes: 0, clips: [], compose: 0 },
    status: "storyboard",
    stage: redrawing ? "keyframes" : "review",
    progress: 30,
    currentStep: redrawing ? "Drawing keyframes" : `Editing version ${version}`,
    approvedAt: null,
    error: null,
    completedAt: null,
    stageAttempts: 0,
    retryAt: 0,
    revision: (s.revision ?? 0) + 1,
  });
}

/**
 * Puts `s`, a draft being discarded, back at its latest finished version. Pure; the
 * coordinator deletes the draft's media ({@link keptMediaKeys} says what stays) and saves.
 */
export function restoreLatestVersion(s: GenerationState): void {
  const latest = finishedVersions(s).at(-1);
  if (!latest) throw new Error("only a draft of a finished ad can be discarded");
  Object.assign(s, {
    version: latest.version,
    plan: latest.plan,
    clips: latest.clips,
    costs: latest.costs,
    keyframes: [],
    videoKey: latest.videoKey,
    thumbnailKey: latest.thumbnailKey,
    status: "completed",
    stage: "complete",
    progress: 100,
    currentStep: `Changes discarded; version ${latest.version} is kept`,
    error: null,
    cancelRequested: false,
    approvedAt: null,
    startedAt: latest.startedAt,
    completedAt: latest.completedAt,
    stageAttempts: 0,
    retryAt: 0,
    revision: (s.revision ?? 0) + 1,
  });
}

/** Every R2 key a finished version of `s` uses: its render and its clips, and its own copies of its assets. */
export function keptMediaKeys(s: GenerationState): Set<string> {
  const keys = new Set<string>();
  for (const key of settingAssetKeys(s.id, s.settings)) keys.add(key);
  for (const v of finishedVersions(s)) {
    keys.add(v.videoKey);
    if (v.thumbnailKey) keys.add(v.thumbnailKey);
    for (const key of v.scenePosterKeys ?? []) keys.add(key);
    for (const c of v.clips) {
      if (c.key) keys.add(c.key);
      if (c.posterKey) keys.add(c.posterKey);
    }
  }
  return keys;
}
