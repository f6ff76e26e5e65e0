/**
 * Making one export file (run by the generation's coordinator, groups/group-coordinator.ts):
 *
 * - the master itself when the variant is the master's (MP4, 1080, the ad's aspect): an R2 copy;
 * - the same aspect, another format or a smaller size: the master transcoded (`POST /transcode`);
 * - another aspect: the version's clips re-composed with that aspect's layout (overlays re-flowed
 *   into its safe area and refit, clips cover-cropped around their centre), at the export's size,
 *   format and bitrate cap, never a letterboxed or cropped 9:16.
 *
 * The file goes to R2 at the export's key; the answer is its size and duration.
 */

import { CONTAINER_CONTENT_TYPES, CONTRACT_VERSION } from "@promptreel/render-container/contract";
import type { Env } from "../env.ts";
import type { GenerationState } from "../groups/state.ts";
import { stageAndBuildRenderJob } from "../pipeline/stages/compose.ts";
import { readFile, releaseJob, runJob, stageFile } from "../render/client.ts";
import { finishedVersions } from "../views/generation.ts";
import { type Aspect, type ExportFormat, type ExportQuality, exportSize, MAX_KBPS } from "./formats.ts";

/** What is exported. */
export interface ExportJob {
  id: string;
  version: number;
  format: ExportFormat;
  quality: ExportQuality;
  aspect: Aspect;
  r2Key: string;
}

/** Makes export `e` of generation `s`; `onProgress` gets 0-100. */
export async function makeExport(
  env: Env,
  s: GenerationState,
  e: ExportJob,
  signal: AbortSignal,
  onProgress: (percent: number) => void,
): Promise<{ sizeBytes: number; durationS: number }> {
  const record = finishedVersions(s).find((v) => v.version === e.version);
  if (!record) throw new Error(`version ${e.version} of this ad no longer exists`);
  const { width, height } = exportSize(e.aspect, e.quality);
  const contentType = CONTAINER_CONTENT_TYPES[e.format];
  const sameAspect = e.aspect === s.settings.aspect_ratio;
  const master = async () => {
    const object = await env.MEDIA.get(record.videoKey);
    if (!object) throw new Error("the finished ad is missing from storage");
    return object;
  };
  if (sameAspect && e.format === "mp4" && e.quality === 1080) {
    // The master is this export.
    const stored = await env.MEDIA.put(e.r2Key, (await master()).body, { httpMetadata: { contentType } });
    return { sizeBytes: stored.size, durationS: record.plan.target_duration_s };
  }
  const jobId = `${e.id}-export`;
  const output = `export.${e.format}`;
  const video = {
    width,
    height,
    fps: 24,
    preset: "medium" as const,
    crf: 20,
    format: e.format,
    max_kbps: MAX_KBPS[e.quality],
  };
  const progress = (event: { percent: number }) => onProgress(Math.min(95, Math.round(event.percent)));
  try {
    let result: Awaited<ReturnType<typeof runJob>>;
    if (sameAspect) {
      const object = await master();
      await stageFile(env, jobId, "master", object.body, object.size);
      result = await runJob(
        env,
        "transcode",
        {
          version: CONTRACT_VERSION,
          job_id: jobId,
          source: { file: "master" },
          video,
          output: { file: output },
        },
        { signal, onProgress: progress },
      );
    } else {
      const settings = { ...s.settings, aspect_ratio: e.aspect };
      const job = await stageAndBuildRenderJob(env, s, jobId, record.plan, record.clips, settings);
      result = await runJob(
        env,
        "render",
        { ...job, video, outputs: { video: { file: output } } },
        { signal, onProgress: progress },
      );
    }
    const file = await readFile(env, jobId, output);
    const size = Number(file.headers.get("content-length"));
    const body = size > 0 && file.body ? file.body : await file.arrayBuffer();
    const stored = await env.MEDIA.put(e.r2Key, body, { httpMetadata: { contentType } });
    return {
      sizeBytes: stored.size,
      durationS: result.outputs.video?.duration_s ?? record.plan.target_duration_s,
    };
  } finally {
    await releaseJob(env, jobId);
  }
}
