/**
 * Comparing what a finished ad shows with its storyboard: tiny RGB thumbnails of a keyframe and
 * of a video frame (through ffmpeg, which the app already needs), and their distance.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Page } from "playwright-core";

const run = promisify(execFile);
/** Small enough to ignore overlay text and grain, big enough to tell the scenes' looks apart. */
const W = 27;
const H = 48;

/** The generation's view, read with the page's own session (as the app reads it). */
export function viewOf<T>(page: Page, generationId: string): Promise<T> {
  return page.evaluate(async (id) => {
    const session = JSON.parse(localStorage.getItem("promptreel.session") ?? "{}") as { token?: string };
    const res = await fetch(`/api/generations/${id}`, {
      headers: { Authorization: `Bearer ${session.token}` },
    });
    return res.json();
  }, generationId) as Promise<T>;
}

/** Downloads `url` into a temporary directory that `use` can read; removed afterwards. */
export async function withDownloads<T>(urls: string[], use: (files: string[]) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "promptreel-frames-"));
  try {
    const files = await Promise.all(
      urls.map(async (url, i) => {
        const res = await fetch(url);
        if (!res.ok) throw new Error(`${url}: ${res.status}`);
        const file = join(dir, `file-${i}`);
        await writeFile(file, new Uint8Array(await res.arrayBuffer()));
        return file;
      }),
    );
    return await use(files);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The W×H RGB pixels of an image, or of a video's frame at `atS` seconds. */
export async function thumbnail(file: string, atS?: number): Promise<Uint8Array> {
  const seek = atS === undefined ? [] : ["-ss", atS.toFixed(3)];
  const { stdout } = await run(
    "ffmpeg",
    [
      "-v",
      "error",
      ...seek,
      "-i",
      file,
      "-frames:v",
      "1",
      "-vf",
      `scale=${W}:${H}:flags=area`,
      "-f",
      "rawvideo",
      "-pix_fmt",
      "rgb24",
      "-",
    ],
    { encoding: "buffer", maxBuffer: 1 << 20 },
  );
  if (stdout.length !== W * H * 3) throw new Error(`ffmpeg gave ${stdout.length} bytes for ${file}`);
  return new Uint8Array(stdout);
}

/** Mean absolute difference per channel (0 = identical, 255 = opposite). */
export function distance(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** A short MP4 clip with a tone, made by ffmpeg from a lavfi `source` (its own duration included). */
export async function makeClip(file: string, source: string, seconds: number): Promise<string> {
  await run("ffmpeg", [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", source],
    ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`],
    ...["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"],
    ...["-movflags", "+faststart", file],
  ]);
  return file;
}

/** The bearer header of the page's session (as the app stored it at sign-in). */
export async function sessionHeader(page: Page): Promise<Record<string, string>> {
  const token = await page.evaluate(
    () => (JSON.parse(localStorage.getItem("promptreel.session") ?? "{}") as { token?: string }).token,
  );
  return { Authorization: `Bearer ${token}` };
}
