/**
 * Taking an upload in without holding it in memory. A raw body is streamed; a multipart form is
 * read by the runtime's `formData()`, which buffers, so its declared length is checked first.
 * Either way a Content-Length is required (chunked uploads get 411: R2 needs the length of a
 * streamed `put`, and browsers and curl always send one for a file), and a declared length over
 * the limit is refused before a byte is read. The bytes go to R2 through a meter that counts
 * (erroring past the limit), hashes (SHA-256 with `crypto.DigestStream`) and keeps the first
 * bytes for format detection, then a `FixedLengthStream` of the declared length.
 */
import { ApiError } from "../lib/errors.ts";
import { MB } from "../limits/asset-quota.ts";

/** Largest file accepted. */
export const MAX_UPLOAD_BYTES = 50 * MB;
/** Room for a multipart form's boundaries and part headers around the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;
/** Enough of the head for `file-type` (it reads at most 4100 bytes). */
export const HEAD_BYTES = 4100;
const MAX_NAME_LENGTH = 120;

/** One upload as it arrives: its bytes, their length, and the client's hints. */
export interface UploadSource {
  body: ReadableStream<Uint8Array>;
  length: number;
  declaredType?: string;
  name?: string;
}

const tooLarge = (bytes: number) =>
  new ApiError(
    413,
    "payload_too_large",
    `The file is ${(bytes / MB).toFixed(1)} MB; the most accepted is ${MAX_UPLOAD_BYTES / MB} MB.`,
    { details: { max_bytes: MAX_UPLOAD_BYTES } },
  );
export const emptyFile = () => new ApiError(400, "bad_request", "The file is empty.");

function decodeName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The upload in `req`: a raw body (Content-Type as declared, name from `?name=` or
 * `X-File-Name`) or a multipart form with one `file` field. Refuses what the headers alone
 * show to be wrong: no length (411), empty (400), over the limit (413).
 */
export async function uploadSource(req: Request, queryName: string | undefined): Promise<UploadSource> {
  const declared = req.headers.get("content-length");
  const length = declared === null ? Number.NaN : Number(declared);
  if (!Number.isSafeInteger(length) || length < 0)
    throw new ApiError(
      411,
      "bad_request",
      "Send the file with a Content-Length header (chunked uploads are not accepted).",
    );
  if (length === 0 || !req.body) throw emptyFile();
  const contentType = req.headers.get("content-type") ?? undefined;
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) {
    if (length > MAX_UPLOAD_BYTES) throw tooLarge(length);
    const name = queryName ?? decodeName(req.headers.get("x-file-name") ?? undefined);
    return {
      body: req.body,
      length,
      ...(contentType ? { declaredType: contentType } : {}),
      ...(name ? { name } : {}),
    };
  }
  if (length > MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES) throw tooLarge(length);
  const form = await req.formData().catch(() => {
    throw new ApiError(400, "bad_request", "The multipart form could not be read.");
  });
  const files = [...form.values()].filter((v): v is File => typeof v !== "string");
  const file = form.get("file");
  if (!file || typeof file === "string")
    throw new ApiError(400, "bad_request", 'Send the file in a multipart field named "file".');
  if (files.length > 1) throw new ApiError(400, "bad_request", "Send one file per request.");
  if (file.size === 0) throw emptyFile();
  if (file.size > MAX_UPLOAD_BYTES) throw tooLarge(file.size);
  return {
    body: file.stream(),
    length: file.size,
    ...(file.type ? { declaredType: file.type } : {}),
    ...(file.name ? { name: file.name } : {}),
  };
}

/**
 * A display name from the client's: the last path segment, without control, markup or shell
 * characters, at most 120 characters with the extension kept; `fallback` when nothing is left.
 */
export function sanitizeName(raw: string | undefined, fallback: string): string {
  const base = (raw ?? "").normalize("NFC").split(/[\\/]/).pop() ?? "";
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}<>:"|?*`$]/gu, "")
    .replace(/\s+/g, " ")
    .replace(/^[\s.]+|[\s.]+$/g, "");
  if (!cleaned) return fallback;
  const chars = [...cleaned];
  if (chars.length <= MAX_NAME_LENGTH) return cleaned;
  const dot = cleaned.lastIndexOf(".");
  const ext = dot > 0 && cleaned.length - dot <= 9 ? cleaned.slice(dot) : "";
  return (
    [...cleaned.slice(0, cleaned.length - ext.length)].slice(0, MAX_NAME_LENGTH - ext.length).join("") + ext
  );
}

/** Reads `stream` until at least `n` bytes are buffered; answers them and a stream of every byte. */
export async function peekHead(
  stream: ReadableStream<Uint8Array>,
  n: number,
): Promise<{ head: Uint8Array; whole: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  while (buffered < n) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
    buffered += value.byteLength;
  }
  const head = new Uint8Array(buffered);
  let at = 0;
  for (const c of chunks) {
    head.set(c, at);
    at += c.byteLength;
  }
  const whole = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.byteLength) controller.enqueue(head.slice());
    },
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, whole };
}

const toHex = (buf: ArrayBuffer) =>
  [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Streams `whole` (exactly `length` bytes) into R2 at `key` with `contentType`, counting and
 * hashing on the way. A body longer than the limit is 413, one that differs from its declared
 * length 400; the caller deletes the object on any failure.
 */
export async function storeStream(
  bucket: R2Bucket,
  key: string,
  whole: ReadableStream<Uint8Array>,
  length: number,
  contentType: string,
): Promise<{ size: number; sha256: string }> {
  const digest = new crypto.DigestStream("SHA-256");
  const hash = digest.getWriter();
  let bytes = 0;
  let overLimit = false;
  const meter = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      bytes += chunk.byteLength;
      if (bytes > MAX_UPLOAD_BYTES) {
        overLimit = true;
        throw new Error("upload over the size limit");
      }
      await hash.write(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      await hash.close();
    },
  });
  try {
    await bucket.put(key, whole.pipeThrough(meter).pipeThrough(new FixedLengthStream(length)), {
      httpMetadata: { contentType },
    });
  } catch (err) {
    if (overLimit) throw tooLarge(bytes);
    if (bytes !== length)
      throw new ApiError(
        400,
        "bad_request",
        `The upload sent ${bytes > length ? "more" : "fewer"} bytes than its Content-Length (${length}).`,
      );
    throw err;
  }
  if (bytes !== length)
    throw new ApiError(
      400,
      "bad_request",
      `The upload sent ${bytes} bytes, not its Content-Length (${length}).`,
    );
  return { size: bytes, sha256: toHex(await digest.digest) };
}
