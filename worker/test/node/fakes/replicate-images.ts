/**
 * The text-to-image models of the fake Replicate server (flux-schnell, flux-dev, google/imagen-4):
 * their input checked against Replicate's schema (422 as Replicate answers), their outputs as
 * each model gives them (flux: an array of image URLs; imagen-4: one URL), each a real file
 * (JPEG for `output_format: "jpg"`) made by ffmpeg at the size the model draws for the input's
 * aspect ratio (flux at 1 MP: 9:16 is 768x1344; imagen-4: 1:1 is 1024x1024).
 */
import { execFile } from "node:child_process";
import type { ServerResponse } from "node:http";
import { promisify } from "node:util";

const run = promisify(execFile);

const IMAGEN = "google/imagen-4";
export const IMAGE_MODELS = new Set(["black-forest-labs/flux-schnell", "black-forest-labs/flux-dev", IMAGEN]);

/** google/imagen-4's sizes per `aspect_ratio` (its schema's enum). */
const IMAGEN_SIZES: Record<string, [number, number]> = {
  "1:1": [1024, 1024],
  "9:16": [768, 1408],
  "16:9": [1408, 768],
  "3:4": [896, 1280],
  "4:3": [1280, 896],
};
const IMAGEN_SAFETY = ["block_low_and_above", "block_medium_and_above", "block_only_high"];
const IMAGEN_FIELDS = new Set(["prompt", "aspect_ratio", "output_format", "safety_filter_level"]);

/** imagen-4's 422 detail for an input its schema refuses (it has no seed, no num_outputs). */
function imagenInputError(input: Record<string, unknown>): string | null {
  const extra = Object.keys(input).find((k) => !IMAGEN_FIELDS.has(k));
  if (extra) return `${extra}: additional property not allowed`;
  if (input.aspect_ratio !== undefined && !Object.hasOwn(IMAGEN_SIZES, String(input.aspect_ratio)))
    return `aspect_ratio: must be one of ${Object.keys(IMAGEN_SIZES).join(", ")}`;
  if (input.output_format !== undefined && !["jpg", "png"].includes(String(input.output_format)))
    return "output_format: must be one of jpg, png";
  if (input.safety_filter_level !== undefined && !IMAGEN_SAFETY.includes(String(input.safety_filter_level)))
    return `safety_filter_level: must be one of ${IMAGEN_SAFETY.join(", ")}`;
  return null;
}

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
export function imageInputError(model: string, input: Record<string, unknown>): string | null {
  if (model === IMAGEN) return imagenInputError(input);
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

/** The output of a succeeded image prediction: one URL per requested image (imagen-4: one URL, not a list). */
export function imageOutput(
  model: string,
  base: string,
  id: string,
  input: Record<string, unknown>,
): string | string[] {
  if (model === IMAGEN) return `${base}/files/${id}-0.${String(input.output_format ?? "jpg")}`;
  const n = Number(input.num_outputs ?? 1);
  const ext = String(input.output_format ?? "webp");
  return Array.from({ length: n }, (_, i) => `${base}/files/${id}-${i}.${ext}`);
}

/** The size the model draws for `input`. */
function imageSize(model: string, input: Record<string, unknown>): [number, number] {
  if (model === IMAGEN) return IMAGEN_SIZES[String(input.aspect_ratio ?? "1:1")] ?? [1024, 1024];
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

/**
 * A real image file (ffmpeg's test pattern) in `format` at `width`x`height`. Like a model's, each
 * prediction's image is its own: the pattern's hue turns by `hue` degrees (one per prediction).
 */
function imageFile(format: string, width: number, height: number, hue: number): Promise<Buffer> {
  const size = `${width}x${height}`;
  const key = `${format}:${size}:${hue}`;
  let made = cache.get(key);
  if (!made) {
    const input = ["-v", "error", "-f", "lavfi", "-i", `testsrc2=size=${size}`, "-vf", `hue=h=${hue}`];
    input.push("-frames:v", "1");
    made = run("ffmpeg", [...input, ...ENCODINGS[format]!.args, "pipe:1"], {
      encoding: "buffer",
      maxBuffer: 16 << 20,
    }).then((r) => r.stdout);
    made.catch(() => cache.delete(key));
    cache.set(key, made);
  }
  return made;
}

/** Answers a file request with the image prediction `id` of `model` drew for `input`. */
export async function sendImage(
  res: ServerResponse,
  format: string,
  prediction: { id: string; model: string; input: Record<string, unknown> },
) {
  // The id starts with the prediction's number ("pred0007..."): 360 consecutive ones differ.
  const hue = (Number(prediction.id.slice(4, 8)) * 37) % 360;
  const body = await imageFile(format, ...imageSize(prediction.model, prediction.input), hue);
  res.writeHead(200, { "Content-Type": ENCODINGS[format]!.type, "Content-Length": String(body.length) });
  res.end(body);
}
