/**
 * Loudness measurement: parse an `ebur128` summary (the main pass meters its own final mix, see
 * `MIX_METER` in compose/audio-graph.ts; the QC pass meters the file), and measure a finished file with
 * `ebur128` (independent checks: the bench and the tests, and the QC's loudness fix).
 */
import { runFfmpeg } from "../ffmpeg.ts";

/** Integrated loudness and true peak as reported in a JobResult. */
export interface LoudnessSummary {
  integrated_lufs: number;
  true_peak_dbtp: number;
}

/**
 * Reads the `Summary:` blocks `ebur128=peak=true` logs (at info level) when a graph closes. ffmpeg
 * builds a complex graph once just to parse it, so the main pass always logs an empty summary
 * (-70 LUFS, -inf peak) before the real one. If more than one summary measured a signal, ffmpeg
 * rebuilt the graph mid-stream (an input changed parameters) and each part saw only some of the
 * audio: undefined then, as when there is no summary at all.
 */
export function parseEbur128Summary(stderr: string): LoudnessSummary | undefined {
  const value = (s: string) => (s === "-inf" ? Number.NEGATIVE_INFINITY : Number(s));
  const summaries: LoudnessSummary[] = [];
  for (const block of stderr.split("Summary:").slice(1)) {
    const i = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(block);
    const tp = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(block);
    if (i && tp) summaries.push({ integrated_lufs: value(i[1]!), true_peak_dbtp: value(tp[1]!) });
  }
  const measured = summaries.filter((s) => Number.isFinite(s.true_peak_dbtp));
  if (measured.length > 1) return undefined;
  // Silence: every summary reads -70 LUFS and -inf, the same as a separate measurement would.
  return measured[0] ?? summaries.at(-1);
}

/** Integrated loudness (LUFS) and true peak (dBTP) of a file's first audio stream, via `ebur128`. */
export async function measureLoudness(file: string, signal?: AbortSignal): Promise<LoudnessSummary> {
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
  return (
    parseEbur128Summary(stderr) ?? {
      integrated_lufs: Number.NEGATIVE_INFINITY,
      true_peak_dbtp: Number.NEGATIVE_INFINITY,
    }
  );
}
