/**
 * The versions of an ad, for people: which finished version is the default, and the file name
 * each one downloads as. A finished ad reopened for editing is a draft at the next version until
 * it is approved (and rendered) or discarded; `versions` lists only the finished ones.
 */
import type { GenerationView, VersionView } from "./api.ts";
import { isTerminal } from "./live/reconcile.ts";

/** The latest finished version (the default one), if any finished. */
export function lastFinished(g: Pick<GenerationView, "versions">): VersionView | undefined {
  return g.versions.at(-1);
}

/** True when `g` is a draft: a finished ad reopened for editing, not yet rendered. */
export function isDraft(g: Pick<GenerationView, "version" | "status">): boolean {
  return g.version > 1 && !isTerminal(g.status);
}

/** `promptreel-<id8>.mp4`, or `promptreel-<id8>-v<k>.mp4` when the ad has several versions. */
export function videoFileName(generationId: string, version?: number): string {
  const base = `promptreel-${generationId.slice(0, 8)}`;
  return version === undefined ? `${base}.mp4` : `${base}-v${version}.mp4`;
}
