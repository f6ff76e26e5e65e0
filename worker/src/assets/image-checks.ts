/**
 * Images are measured from their headers with the `image-size` package (no decoding, so a
 * "decompression bomb" costs nothing to refuse): at most 8192 pixels a side and 40 megapixels.
 * Only the first megabyte is read (a JPEG's frame header follows its metadata segments).
 */
import { imageSize } from "image-size";
import { type AcceptedFormat, invalidMedia } from "./formats.ts";
import type { ByteSource } from "./structure.ts";

export const MAX_IMAGE_SIDE = 8192;
export const MAX_IMAGE_PIXELS = 40_000_000;
const HEADER_BYTES = 1024 * 1024;

/** What `image-size` calls each accepted image type. */
const SIZE_TYPES: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };

/** The image's width and height, or a 422 when it cannot be measured or is too large. */
export async function checkImageSize(
  src: ByteSource,
  format: AcceptedFormat,
): Promise<{ width: number; height: number }> {
  const header = await src.read(0, Math.min(src.size, HEADER_BYTES));
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(header);
  } catch {
    throw invalidMedia(`The ${format.label}'s dimensions cannot be read: it is corrupt or truncated.`);
  }
  if (size.type !== SIZE_TYPES[format.contentType] || !(size.width > 0 && size.height > 0))
    throw invalidMedia(`The ${format.label}'s header is not a valid ${format.label} header.`);
  const { width, height } = size;
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS)
    throw invalidMedia(
      `The image is ${width}x${height} pixels; the most accepted is ${MAX_IMAGE_SIDE} pixels a side and ${MAX_IMAGE_PIXELS / 1_000_000} megapixels.`,
      { width, height, max_side: MAX_IMAGE_SIDE, max_pixels: MAX_IMAGE_PIXELS },
    );
  return { width, height };
}
