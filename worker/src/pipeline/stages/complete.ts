/** complete (100 %): the finished render is recorded as a version of the ad (the first, or a re-render). */
import type { GenerationState, VersionRecord } from "../../groups/state.ts";
import type { StageContext } from "./context.ts";

export async function complete(ctx: StageContext, s: GenerationState): Promise<void> {
  const completedAt = Date.now();
  const version = s.version ?? 1;
  if (!s.videoKey || !s.plan) throw new Error("complete stage without a video");
  const master = s.masters?.[version];
  const record: VersionRecord = {
    version,
    videoKey: s.videoKey,
    thumbnailKey: s.thumbnailKey,
    plan: s.plan,
    clips: s.clips,
    costs: s.costs,
    startedAt: s.startedAt,
    completedAt,
    qc: master?.qc ?? null,
    scenePosterKeys: master?.scenePosterKeys ?? [],
  };
  Object.assign(s, {
    versions: [...(s.versions ?? []).filter((v) => v.version !== version), record],
    status: "completed",
    progress: 100,
    currentStep: "Done",
    completedAt,
  });
  await ctx.save(s);
}
