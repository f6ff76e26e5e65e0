/**
 * The user's own material, offline, end to end against the app as `npm start` runs it: upload a
 * product photo and a music track through the assets API, then render the same prompt and seed
 * twice in one comparison, with and without them (and a logo). Measured on the files with ffmpeg: every
 * scene's middle frame is nearer the photo with it than without, and the uploaded track (a pure
 * 1 kHz tone, absent from the library's music) is in the mix, which is at -14 ±1 LUFS, and the
 * logo fills the middle of the end card.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { GenerationView } from "@promptreel/worker/views";
import { describe, expect, inject, test } from "vitest";
import { distance, thumbnail, withDownloads } from "./frames.ts";

const run = promisify(execFile);
const baseUrl = inject("baseUrl");
const FINISH_TIMEOUT_MS = 420_000;

/** The file ffmpeg writes for `args` (to a real file, so its headers hold the final sizes). */
async function ffmpegBytes(args: string[], name: string): Promise<Uint8Array<ArrayBuffer>> {
  const dir = await mkdtemp(join(tmpdir(), "promptreel-own-"));
  try {
    await run("ffmpeg", ["-v", "error", ...args, join(dir, name)]);
    return new Uint8Array(await readFile(join(dir, name))).slice();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function api<T>(
  token: string | null,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, {
    ...init,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) },
  });
  return { status: res.status, body: (await res.json()) as T };
}

const upload = async (token: string, bytes: Uint8Array<ArrayBuffer>, type: string, name: string) => {
  const res = await api<{ id: string }>(token, `/api/assets?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { "Content-Type": type },
    body: bytes,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
};

/** The share of a thumbnail's pixels that are magenta (the test logo's colour). */
function magenta(rgb: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i]! > 170 && rgb[i + 1]! < 90 && rgb[i + 2]! > 170) n++;
  return n / (rgb.length / 3);
}

/** Mean volume (dB) of a file's audio around 1 kHz. */
async function toneLevel(file: string): Promise<number> {
  const { stderr } = await run("ffmpeg", [
    ...["-v", "info", "-i", file, "-af", "bandpass=f=1000:width_type=q:w=20,volumedetect", "-f", "null", "-"],
  ]);
  return Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)?.[1] ?? Number.NaN);
}

/** Integrated loudness (LUFS) of a file. */
async function loudness(file: string): Promise<number> {
  const { stderr } = await run("ffmpeg", ["-v", "info", "-i", file, "-af", "ebur128", "-f", "null", "-"]);
  const summary = stderr.slice(stderr.lastIndexOf("Summary:"));
  return Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1] ?? Number.NaN);
}

describe("your own product photo and music in an offline ad", () => {
  test(
    "the photo is in every scene, the logo on the end card, the track in the mix at -14 LUFS",
    async () => {
      const email = `e2e-own-${Date.now()}@example.com`;
      const reg = await api<{ token: string }>(null, "/api/auth/register", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email, password: "correct horse battery" }),
      });
      expect(reg.status).toBe(201);
      const token = reg.body.token;
      // A photo unlike any offline look (a bright test card), and 8 s of a 1 kHz tone.
      const photo = await ffmpegBytes(
        ["-f", "lavfi", "-i", "testsrc2=size=900x900", "-frames:v", "1", "-c:v", "png"],
        "product.png",
      );
      const tone = await ffmpegBytes(["-f", "lavfi", "-i", "sine=frequency=1000:duration=8"], "jingle.wav");
      const photoId = await upload(token, photo, "image/png", "product.png");
      const musicId = await upload(token, tone, "audio/wav", "jingle.wav");
      // A logo no offline look has: a pure magenta square.
      const logo = await ffmpegBytes(
        ["-f", "lavfi", "-i", "color=c=magenta:s=300x300", "-frames:v", "1", "-c:v", "png"],
        "logo.png",
      );
      const logoId = await upload(token, logo, "image/png", "logo.png");

      const prompt = "Ceramic pour-over coffee dripper for slow mornings";
      const settings = { seed: 4242, aspect_ratio: "1:1" };
      const started = await api<{ generation_ids: string[] }>(token, "/api/comparisons", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          variations: [
            { prompt, settings: { ...settings, reference_image: photoId, music: musicId, logo: logoId } },
            { prompt, settings },
          ],
        }),
      });
      expect(started.status).toBe(202);
      const [withId, withoutId] = started.body.generation_ids;
      const done = async (id: string) => {
        const deadline = Date.now() + FINISH_TIMEOUT_MS;
        for (;;) {
          const { body } = await api<GenerationView>(token, `/api/generations/${id}`);
          if (body.status === "completed" || body.status === "failed") return body;
          if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(body)}`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      };
      const [withIt, without] = [await done(withId!), await done(withoutId!)];
      expect([withIt.status, without.status]).toEqual(["completed", "completed"]);
      expect(withIt.scenes.map((s) => s.duration_s)).toEqual(without.scenes.map((s) => s.duration_s));

      const starts = withIt.scenes.map((_, i) =>
        withIt.scenes.slice(0, i).reduce((t, s) => t + s.duration_s, 0),
      );
      const urls = [withIt.video_url!, without.video_url!].map((u) => new URL(u, baseUrl).href);
      const measured = await withDownloads(urls, async ([a, b]) => {
        const photoFile = `${a}-photo.png`;
        await writeFile(photoFile, photo);
        const target = await thumbnail(photoFile);
        const nearer = await Promise.all(
          withIt.scenes.map(async (scene, i) => {
            const at = starts[i]! + scene.duration_s / 2;
            const [dWith, dWithout] = [
              distance(await thumbnail(a!, at), target),
              distance(await thumbnail(b!, at), target),
            ];
            return { dWith, dWithout };
          }),
        );
        // The end card: 0.7 s before the end the logo is large in the middle of the frame.
        const total = starts.at(-1)! + withIt.scenes.at(-1)!.duration_s;
        const endCard = [
          magenta(await thumbnail(a!, total - 0.7)),
          magenta(await thumbnail(b!, total - 0.7)),
        ];
        return {
          nearer,
          endCard,
          tone: [await toneLevel(a!), await toneLevel(b!)],
          lufs: await loudness(a!),
        };
      });
      console.info("own material, measured:", JSON.stringify(measured));
      for (const { dWith, dWithout } of measured.nearer) expect(dWith).toBeLessThan(dWithout);
      expect(measured.endCard[0]).toBeGreaterThan(0.05);
      expect(measured.endCard[1]).toBeLessThan(0.01);
      // The uploaded tone stands well above whatever the library track has around 1 kHz.
      expect(measured.tone[0]! - measured.tone[1]!).toBeGreaterThan(10);
      expect(Math.abs(measured.lufs - -14)).toBeLessThanOrEqual(1);
    },
    FINISH_TIMEOUT_MS * 2,
  );
});
