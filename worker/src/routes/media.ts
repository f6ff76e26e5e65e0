/**
 * Media behind signed links: GET streams an R2 object with range support (seeking in
 * `<video>`), PUT stores an upload from the render container. A bad or expired link is 403.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../lib/errors.ts";
import { type MediaMethod, verifyMediaSignature } from "../lib/media-signing.ts";

/** Largest upload accepted through a signed PUT link (a 60 s render stays well under). */
const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;

async function authorizedKey(
  c: { req: { path: string; query(k: string): string | undefined }; env: AppEnv["Bindings"] },
  method: MediaMethod,
) {
  const raw = c.req.path.replace(/^\/media\//, "");
  const invalid = () => new ApiError(400, "bad_request", "Invalid media path.");
  let key: string;
  try {
    key = raw.split("/").map(decodeURIComponent).join("/");
  } catch {
    // A malformed percent-escape (`%E0%A4%A`) is the caller's mistake, not a server error.
    throw invalid();
  }
  if (!key || key.includes("..")) throw invalid();
  const ok = await verifyMediaSignature(c.env, method, key, c.req.query("exp"), c.req.query("sig"));
  if (!ok) throw new ApiError(403, "forbidden", "This media link is invalid or has expired.");
  return key;
}

/** Parses a single `bytes=a-b` range; multi-range requests get the whole object. */
function parseRange(header: string | undefined, size: number): { offset: number; length: number } | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m) return null;
  const [, a, b] = m;
  if (a === "" && b === "") return null;
  const start = a === "" ? Math.max(0, size - Number(b)) : Number(a);
  const end = a === "" || b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (start > end || start >= size)
    throw new ApiError(416, "bad_request", "Requested range not satisfiable.", {
      headers: { "Content-Range": `bytes */${size}` },
    });
  return { offset: start, length: end - start + 1 };
}

export const mediaRoutes = new Hono<AppEnv>()
  .get("/*", async (c) => {
    const key = await authorizedKey(c, "GET");
    const head = await c.env.MEDIA.head(key);
    if (!head) throw new ApiError(404, "not_found", "Media not found.");
    const range = parseRange(c.req.header("range"), head.size);
    const object = await c.env.MEDIA.get(key, range ? { range } : {});
    if (!object) throw new ApiError(404, "not_found", "Media not found.");
    const headers = new Headers({
      "Content-Type": head.httpMetadata?.contentType ?? "application/octet-stream",
      "Accept-Ranges": "bytes",
      "Cache-Control": "private, max-age=3600",
      // Served as stored, never re-interpreted by the browser (uploads are checked by their bytes).
      "X-Content-Type-Options": "nosniff",
      ETag: head.httpEtag,
    });
    if (range) {
      headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${head.size}`);
      headers.set("Content-Length", String(range.length));
      return new Response(object.body, { status: 206, headers });
    }
    headers.set("Content-Length", String(head.size));
    return new Response(object.body, { status: 200, headers });
  })
  .put("/*", async (c) => {
    const key = await authorizedKey(c, "PUT");
    const length = Number(c.req.header("content-length"));
    if (!Number.isInteger(length) || length <= 0)
      throw new ApiError(411, "bad_request", "Content-Length is required.");
    if (length > MAX_UPLOAD_BYTES) throw new ApiError(413, "payload_too_large", "Upload is too large.");
    const body = c.req.raw.body;
    if (!body) throw new ApiError(400, "bad_request", "Empty upload.");
    const contentType = c.req.header("content-type") ?? "application/octet-stream";
    const stored = await c.env.MEDIA.put(key, body, { httpMetadata: { contentType } });
    return c.json({ key, size: stored?.size ?? length }, 201);
  });
