/** Loudness measurement: parse `loudnorm` JSON and measure a finished file with `ebur128`. */

import type { LoudnessMeasure } from "./audio-graph.ts";
import { runFfmpeg } from "./ffmpeg.ts";

/** Extracts the JSON block `loudnorm=...:print_format=json` writes at the end of stderr. */
export function parseLoudnormJson(stderr: string): LoudnessMeasure | undefined {
  const start = stderr.lastIndexOf("{");
  const end = stderr.lastIndexOf("}");
  if (start < 0 || end < start) return undefined;
  try {
    const j = JSON.parse(stderr.slice(start, end + 1)) as Partial<LoudnessMeasure>;
    if (j.input_i === undefined || j.input_tp === undefined) return undefined;
    return j as LoudnessMeasure;
  } catch {
    return undefined;
  }
}

/** Integrated loudness (LUFS) and true peak (dBTP) of a file's first audio stream, via `ebur128`. */
export async function measureLoudness(
  file: string,
  signal?: AbortSignal,
): Promise<{ integrated_lufs: number; true_peak_dbtp: number }> {
  const { stderr } = await runFfmpeg(
    [
      "-hide_banner",
      "-nostdin",
      "-nostats",
      "-protocol_whitelist",
      "file",
      "-i",
      file,
      "-vn",
      "-map",
      "0:a:0",
      "-af",
      "ebur128=peak=true",
      "-f",
      "null",
      "-",
    ],
    signal ? { signal } : {},
  );
  const summary = stderr.slice(stderr.lastIndexOf("Summary:"));
  const i = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  const tp = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary);
  return {
    integrated_lufs: i?.[1] === "-inf" || !i ? Number.NEGATIVE_INFINITY : Number(i[1]),
    true_peak_dbtp: tp?.[1] === "-inf" || !tp ? Number.NEGATIVE_INFINITY : Number(tp[1]),
  };
}
