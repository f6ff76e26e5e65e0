/**
 * The text-to-image models of the fake Replicate server (flux-schnell, flux-dev): their input
 * checked against Replicate's schema (422 as Replicate answers), their outputs an array of
 * image URLs, each a real file (JPEG for `output_format: "jpg"`) made by ffmpeg at the size the model draws for the input's
 * aspect ratio and megapixels (9:16 at 1 MP: 768x1344).
 */
import { execFile } from "node:child_process";
import type { ServerResponse } from "node:http";
import { promisify } from "node:util";

const run = promisify(execFile);

export const IMAGE_MODELS = new Set(["black-forest-labs/flux-schnell", "black-forest-labs/flux-dev"]);

/** Width and height flux draws at 1 megapixel, per `aspect_ratio` (cog-flux's table). */
const SIZES: Record<string, [number, number]> = {
  "1:1": [1024, 1024],
  "16:9": [1344, 768],
  "21:9": [1536, 640],
  "3:2": [1216, 832],
  "2:3": [832, 1216],
  "4:5": [896, 1088],
  "5:4": [1088, 896],
  "3:4": [896, 1152],
  "4:3": [1152, 896],
  "9:16": [768, 1344],
  "9:21": [640, 1536],
};
const FORMATS = ["webp", "jpg", "png"];
const MEGAPIXELS = ["1", "0.25"];

const intIn = (x: unknown, lo: number, hi: number) =>
  Number.isInteger(x) && Number(x) >= lo && Number(x) <= hi;

/** Replicate's 422 detail for an input the schema refuses, or null when it is valid. */
export function imageInputError(input: Record<string, unknown>): string | null {
  const { aspect_ratio, output_format, num_outputs, megapixels, seed, go_fast, output_quality } = input;
  const set = (x: unknown) => x !== undefined;
  if (set(aspect_ratio) && !Object.hasOwn(SIZES, String(aspect_ratio)))
    return `aspect_ratio: must be one of ${Object.keys(SIZES).join(", ")}`;
  if (set(output_format) && !FORMATS.includes(String(output_format)))
    return `output_format: must be one of ${FORMATS.join(", ")}`;
  if (set(num_outputs) && !intIn(num_outputs, 1, 4)) return "num_outputs: must be an integer from 1 to 4";
  if (set(megapixels) && !MEGAPIXELS.includes(String(megapixels)))
    return `megapixels: must be one of ${MEGAPIXELS.join(", ")}`;
  if (set(seed) && !Number.isInteger(seed)) return "seed: must be an integer";
  if (set(go_fast) && typeof go_fast !== "boolean") return "go_fast: must be a boolean";
  if (set(output_quality) && !intIn(output_quality, 0, 100))
    return "output_quality: must be an integer from 0 to 100";
  return null;
}

/** The output of a succeeded image prediction: one URL per requested image. */
export function imageOutput(base: string, id: string, input: Record<string, unknown>): string[] {
  const n = Number(input.num_outputs ?? 1);
  const ext = String(input.output_format ?? "webp");
  return Array.from({ length: n }, (_, i) => `${base}/files/${id}-${i}.${ext}`);
}

/** The size the model draws for `input`. */
function imageSize(input: Record<string, unknown>): [number, number] {
  const [w, h] = SIZES[String(input.aspect_ratio ?? "1:1")] ?? SIZES["1:1"]!;
  // 0.25 MP halves each side, on flux's 16-pixel grid.
  return String(input.megapixels ?? "1") === "0.25"
    ? ([w / 2, h / 2].map((x) => x - (x % 16)) as [number, number])
    : [w, h];
}

/** ffmpeg's encoder arguments and the content type of each output format. */
const ENCODINGS: Record<string, { args: string[]; type: string }> = {
  jpg: { args: ["-c:v", "mjpeg", "-q:v", "8", "-f", "mjpeg"], type: "image/jpeg" },
  png: { args: ["-c:v", "png", "-f", "image2pipe"], type: "image/png" },
  webp: { args: ["-c:v", "libwebp", "-f", "webp"], type: "image/webp" },
};

const cache = new Map<string, Promise<Buffer>>();

/** A real image file (ffmpeg's test pattern) in `format` at `width`x`height`, made once per kind. */
function imageFile(format: string, width: number, height: number): Promise<Buffer> {
  const size = `${width}x${height}`;
  const key = `${format}:${size}`;
  let made = cache.get(key);
  if (!made) {
    const input = ["-v", "error", "-f", "lavfi", "-i", `testsrc2=size=${size}`, "-frames:v", "1"];
    made = run("ffmpeg", [...input, ...ENCODINGS[format]!.args, "pipe:1"], {
      encoding: "buffer",
      maxBuffer: 16 << 20,
    }).then((r) => r.stdout);
    made.catch(() => cache.delete(key));
    cache.set(key, made);
  }
  return made;
}

/** Answers a file request with the image a prediction of `input` drew. */
export async function sendImage(res: ServerResponse, format: string, input: Record<string, unknown>) {
  const body = await imageFile(format, ...imageSize(input));
  res.writeHead(200, { "Content-Type": ENCODINGS[format]!.type, "Content-Length": String(body.length) });
  res.end(body);
}
