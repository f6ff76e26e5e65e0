/**
 * The Assets API on real D1 and R2 and the real render container: a corpus of hostile uploads
 * (each refused with a clear 4xx and leaving no object and no row), then good uploads of every
 * kind, dedup, listing, ownership, deletion, the per-minute limit and the storage quota. The
 * media comes from global setup (ffmpeg); the bad files are made from it here.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { app } from "../src/app.ts";
import { insertWithinQuota } from "../src/limits/asset-quota.ts";
import { renderContainer, signUp } from "./helpers.ts";

const fx = inject("assetFixtures");
const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const text = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
};

type ErrorJson = { error: { code: string; message: string; details?: unknown } };
type AssetJson = {
  id: string;
  kind: string;
  content_type: string;
  name: string;
  size_bytes: number;
  width: number | null;
  height: number | null;
  duration_s: number | null;
  codecs: string | null;
  created_at: number;
  url: string;
  thumbnail_url: string | null;
};
type ListJson = {
  assets: AssetJson[];
  next_cursor: string | null;
  total_bytes: number;
  count: number;
  quota: { max_bytes: number; max_count: number };
};

interface UploadOptions {
  type?: string;
  name?: string;
  /** Content-Length to declare; the body's own length by default; null sends none. */
  length?: number | null;
  bindings?: Record<string, string>;
}

/** POST /api/assets with a raw body. */
function upload(token: string, body: Uint8Array | ReadableStream<Uint8Array>, opts: UploadOptions = {}) {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (opts.type) headers["Content-Type"] = opts.type;
  const length = opts.length === undefined && body instanceof Uint8Array ? body.byteLength : opts.length;
  if (length !== null && length !== undefined) headers["Content-Length"] = String(length);
  const query = opts.name ? `?name=${encodeURIComponent(opts.name)}` : "";
  return app.request(`/api/assets${query}`, { method: "POST", headers, body }, withVars(opts.bindings));
}

/** POST /api/assets with a multipart form, serialised as a browser would (with its length). */
async function uploadForm(token: string, form: FormData) {
  const encoded = new Request("http://local.test", { method: "POST", body: form });
  const body = new Uint8Array(await encoded.arrayBuffer());
  return app.request(
    "/api/assets",
    {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": encoded.headers.get("content-type") ?? "",
        "Content-Length": String(body.byteLength),
      },
      body,
    },
    env,
  );
}

/** The test bindings with some variables changed, for this request only. */
const withVars = (vars: Record<string, string> = {}): typeof env =>
  // Own properties defined on a child of `env`: assigning would go through to the shared bindings.
  Object.create(
    env,
    Object.fromEntries(Object.entries(vars).map(([k, value]) => [k, { value, enumerable: true }])),
  );

const get = (token: string, path: string) =>
  app.request(path, { headers: { Authorization: `Bearer ${token}` } }, env);

async function expectRefused(res: Response, status: number, code: string, message: RegExp) {
  const body = (await res.json()) as ErrorJson;
  expect({ status: res.status, code: body.error.code }).toEqual({ status, code });
  expect(body.error.message).toMatch(message);
}

/** Nothing of `userId`'s in R2 or D1. */
async function expectNothingStored(userId: string) {
  const listed = await env.MEDIA.list({ prefix: `assets/${userId}/` });
  expect(listed.objects.map((o) => o.key)).toEqual([]);
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM assets WHERE user_id = ?")
    .bind(userId)
    .first<{ n: number }>();
  expect(row?.n).toBe(0);
}

/** A stored ZIP archive holding one file (enough for any unzip tool to list it). */
function tinyZip(name: string, content: string): Uint8Array {
  const n = text(name);
  const data = text(content);
  const u16 = (v: number) => [v & 0xff, v >> 8];
  const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
  const local = [0x50, 0x4b, 3, 4, ...u16(20), ...u16(0), ...u16(0), ...u16(0), ...u16(0)];
  const sizes = [...u32(0), ...u32(data.length), ...u32(data.length), ...u16(n.length), ...u16(0)];
  const localHeader = new Uint8Array([...local, ...sizes]);
  const central = new Uint8Array([
    ...[0x50, 0x4b, 1, 2, ...u16(20), ...u16(20), ...u16(0), ...u16(0), ...u16(0), ...u16(0)],
    ...sizes,
    ...[...u16(0), ...u16(0), ...u16(0), ...u32(0), ...u32(0)],
  ]);
  const centralAt = localHeader.length + n.length + data.length;
  const end = new Uint8Array([
    ...[0x50, 0x4b, 5, 6, ...u16(0), ...u16(0), ...u16(1), ...u16(1)],
    ...[...u32(central.length + n.length), ...u32(centralAt), ...u16(0)],
  ]);
  return concat(localHeader, n, data, central, n, end);
}

/** The JPEG fixture with its SOF0 frame header claiming `width` x `height`. */
function jpegClaiming(width: number, height: number): Uint8Array {
  const jpeg = bytes(fx.jpeg);
  let at = 2;
  while (!(jpeg[at] === 0xff && jpeg[at + 1] === 0xc0)) {
    if (at >= jpeg.length) throw new Error("the JPEG fixture has no SOF0 header");
    at += 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!);
  }
  // FFC0, length (2), precision (1), height (2), width (2)
  jpeg.set([height >> 8, height & 0xff, width >> 8, width & 0xff], at + 5);
  return jpeg;
}

/** A 64-byte ELF header (x86-64 executable) followed by some code-like bytes. */
const elf = concat(
  new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(8).fill(0), 2, 0, 0x3e, 0, 1, 0, 0, 0]),
  new Uint8Array(2000).fill(0x90),
);

/** A stream of `mb` one-megabyte chunks that counts how many were pulled. */
function countingStream(mb: number) {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled++;
      controller.enqueue(new Uint8Array(1_000_000));
      if (state.pulled >= mb) controller.close();
    },
  });
  return { stream, state };
}

describe("POST /api/assets refuses hostile uploads", () => {
  it("refuses by content what the name and type disguise, and leaves nothing behind", async () => {
    const { token, user } = await signUp();
    await expectRefused(
      await upload(token, elf, { type: "image/png", name: "product.png" }),
      415,
      "unsupported_media_type",
      /declared image\/png, named \.png, but its content is application\/x-elf/,
    );
    const pe = concat(text("MZ"), new Uint8Array(3000).fill(0x41));
    await expectRefused(
      await upload(token, pe, { type: "image/jpeg", name: "photo.jpg" }),
      415,
      "unsupported_media_type",
      /application\/x-msdownload/,
    );
    const playlist =
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:1.0,\nhttp://169.254.169.254/latest\n#EXT-X-ENDLIST\n";
    await expectRefused(
      await upload(token, text(playlist), { type: "video/mp4", name: "clip.mp4" }),
      415,
      "unsupported_media_type",
      /declared video\/mp4, named \.mp4, but its content is an HLS playlist/,
    );
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>';
    await expectRefused(
      await upload(token, text(svg), { type: "image/svg+xml", name: "logo.svg" }),
      415,
      "unsupported_media_type",
      /SVG image/,
    );
    await expectRefused(
      await upload(token, text("<!DOCTYPE html><html><body onload=alert(1)></body></html>"), {
        type: "text/html",
      }),
      415,
      "unsupported_media_type",
      /HTML document/,
    );
    await expectRefused(
      await upload(token, bytes(fx.jpeg), { type: "image/png", name: "logo.png" }),
      415,
      "unsupported_media_type",
      /declared image\/png, named \.png, but its content is a JPEG image \(image\/jpeg\)/,
    );
    await expectRefused(
      await upload(token, new Uint8Array(0), { type: "image/png" }),
      400,
      "bad_request",
      /^The file is empty\.$/,
    );
    await expectNothingStored(user.id);
  });

  it("refuses polyglots, truncation, oversized images and over-long media after storing, and deletes the object", async () => {
    const { token, user } = await signUp();
    await expectRefused(
      await upload(token, concat(bytes(fx.png), tinyZip("payload.txt", "hello")), {
        type: "image/png",
        name: "photo.png",
      }),
      422,
      "invalid_media",
      /PNG image has \d+ bytes of other data after its IEND chunk/,
    );
    await expectRefused(
      await upload(token, concat(bytes(fx.jpeg), tinyZip("a.txt", "x")), { type: "image/jpeg" }),
      422,
      "invalid_media",
      /JPEG image has \d+ bytes of other data after its end-of-image marker/,
    );
    await expectRefused(
      await upload(token, jpegClaiming(30000, 30000), { type: "image/jpeg", name: "huge.jpg" }),
      422,
      "invalid_media",
      /30000x30000 pixels; the most accepted is 8192 pixels a side and 40 megapixels/,
    );
    const mp4 = bytes(fx.mp4);
    await expectRefused(
      await upload(token, mp4.subarray(0, Math.floor(mp4.byteLength / 2)), { type: "video/mp4" }),
      422,
      "invalid_media",
      /MP4 video is truncated/,
    );
    await expectRefused(
      await upload(token, bytes(fx.tenHourMp4), { type: "video/mp4", name: "long.mp4" }),
      422,
      "invalid_media",
      /duration 10\.0 h exceeds the limit of 2\.0 min/,
    );
    await expectRefused(
      await upload(token, concat(mp4, tinyZip("b.txt", "y")), { type: "video/mp4" }),
      422,
      "invalid_media",
      /MP4 video has \d+ bytes of other data after its last box/,
    );
    await expectNothingStored(user.id);
  });

  it("refuses what the headers show to be wrong before reading the body", async () => {
    const { token, user } = await signUp();
    const big = countingStream(51);
    await expectRefused(
      await upload(token, big.stream, { type: "video/mp4", length: 51_000_000 }),
      413,
      "payload_too_large",
      /51\.0 MB; the most accepted is 50 MB/,
    );
    expect(big.state.pulled).toBeLessThanOrEqual(1);
    const boundary = "----upload";
    const bigForm = countingStream(51);
    const res = await app.request(
      "/api/assets",
      {
        method: "POST",
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": `multipart/form-data; boundary=${boundary}`,
          "Content-Length": "51000300",
        },
        body: bigForm.stream,
      },
      env,
    );
    await expectRefused(res, 413, "payload_too_large", /the most accepted is 50 MB/);
    expect(bigForm.state.pulled).toBeLessThanOrEqual(1);
    const chunked = countingStream(1);
    await expectRefused(
      await upload(token, chunked.stream, { type: "image/png", length: null }),
      411,
      "bad_request",
      /Content-Length/,
    );
    await expectRefused(
      await upload(token, bytes(fx.png), { type: "image/png", length: 300 }),
      400,
      "bad_request",
      /more bytes than its Content-Length \(300\)/,
    );
    await expectNothingStored(user.id);
  });
});

describe("Assets: good uploads, dedup, list, read, delete", () => {
  it("stores each kind with what its checks measured, answers a repeat with the first asset, and pages", async () => {
    const { token, user } = await signUp();
    const res = await upload(token, bytes(fx.png), { type: "image/png", name: "../../Logo <final>.png" });
    expect(res.status).toBe(201);
    const png = (await res.json()) as AssetJson;
    expect(png).toMatchObject({
      kind: "image",
      content_type: "image/png",
      name: "Logo final.png",
      size_bytes: bytes(fx.png).byteLength,
      width: 64,
      height: 48,
      duration_s: null,
    });
    expect(png.thumbnail_url).toBe(png.url);
    const object = await env.MEDIA.head(`assets/${user.id}/${png.id}`);
    expect(object?.httpMetadata?.contentType).toBe("image/png");
    const served = await app.request(new URL(png.url).pathname + new URL(png.url).search, {}, env);
    expect(served.status).toBe(200);
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes(fx.png));

    const form = new FormData();
    form.append("file", new File([bytes(fx.jpeg)], "shot.jpeg", { type: "image/jpeg" }));
    const jpegRes = await uploadForm(token, form);
    expect(jpegRes.status).toBe(201);
    expect(await jpegRes.json()).toMatchObject({
      kind: "image",
      content_type: "image/jpeg",
      width: 64,
      height: 48,
    });

    const wavRes = await upload(token, bytes(fx.wav), { type: "audio/wav", name: "tone.wav" });
    expect(wavRes.status).toBe(201);
    const wav = (await wavRes.json()) as AssetJson;
    expect(wav).toMatchObject({ kind: "audio", content_type: "audio/wav", codecs: "pcm_s16le", width: null });
    expect(wav.duration_s).toBeCloseTo(1, 1);

    const mp3Res = await upload(token, bytes(fx.mp3), { type: "audio/mpeg", name: "tone.mp3" });
    expect(mp3Res.status).toBe(201);
    expect(await mp3Res.json()).toMatchObject({ kind: "audio", content_type: "audio/mpeg", codecs: "mp3" });

    const mp4Res = await upload(token, bytes(fx.mp4), { type: "video/mp4", name: "clip.mp4" });
    expect(mp4Res.status).toBe(201);
    const mp4 = (await mp4Res.json()) as AssetJson;
    expect(mp4).toMatchObject({
      kind: "video",
      content_type: "video/mp4",
      width: 160,
      height: 120,
      codecs: "h264,aac",
    });
    expect(mp4.duration_s).toBeGreaterThan(0.9);
    expect(mp4.duration_s).toBeLessThan(1.2);
    // The probe's staging space was released.
    const staged = await renderContainer(`/jobs/asset-${mp4.id}/files/upload`);
    expect(staged.status).toBe(404);

    // The same bytes again, under another name: the first asset, and no second object.
    const again = await upload(token, bytes(fx.png), { type: "image/png", name: "copy.png" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as AssetJson).id).toBe(png.id);
    expect((await env.MEDIA.list({ prefix: `assets/${user.id}/` })).objects).toHaveLength(5);

    const audio = (await (await get(token, "/api/assets?kind=audio")).json()) as ListJson;
    expect(audio.assets.map((a) => a.kind)).toEqual(["audio", "audio"]);
    expect(audio.count).toBe(5);
    const sizes = [fx.png, fx.jpeg, fx.wav, fx.mp3, fx.mp4].map((f) => bytes(f).byteLength);
    expect(audio.total_bytes).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(audio.quota).toEqual({ max_bytes: 500_000_000, max_count: 100 });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = (await (
        await get(token, `/api/assets?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
      ).json()) as ListJson;
      seen.push(...page.assets.map((a) => a.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);

    const one = await get(token, `/api/assets/${mp4.id}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ id: mp4.id, kind: "video", duration_s: mp4.duration_s });

    // Another user cannot see or delete it: 404, as for a missing id.
    const other = await signUp();
    await expectRefused(await get(other.token, `/api/assets/${mp4.id}`), 404, "not_found", /Asset not found/);
    const stolen = await app.request(
      `/api/assets/${mp4.id}`,
      { method: "DELETE", headers: { Authorization: `Bearer ${other.token}` } },
      env,
    );
    await expectRefused(stolen, 404, "not_found", /Asset not found/);
    expect(((await (await get(other.token, "/api/assets")).json()) as ListJson).count).toBe(0);

    const deleted = await app.request(
      `/api/assets/${mp4.id}`,
      { method: "DELETE", headers: { Authorization: `Bearer ${token}` } },
      env,
    );
    expect(deleted.status).toBe(204);
    expect(await env.MEDIA.head(`assets/${user.id}/${mp4.id}`)).toBeNull();
    expect((await get(token, `/api/assets/${mp4.id}`)).status).toBe(404);
    expect(((await (await get(token, "/api/assets")).json()) as ListJson).count).toBe(4);
  });
});

describe("Assets: limits", () => {
  it("allows 10 upload attempts a minute, refused ones included; the 11th is 429 with Retry-After", async () => {
    const { token } = await signUp();
    for (let i = 0; i < 10; i++) expect((await upload(token, new Uint8Array(0))).status).toBe(400);
    const res = await upload(token, bytes(fx.png), { type: "image/png" });
    const retryAfter = Number(res.headers.get("retry-after"));
    await expectRefused(res, 429, "rate_limited", /limit of 10 uploads per minute/);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it("holds uploads to the asset count and storage quota", async () => {
    const { token, user } = await signUp();
    const small = { ASSET_QUOTA_COUNT: "2", ASSET_QUOTA_MB: "1" };
    const first = await upload(token, bytes(fx.png), { bindings: small });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ name: "upload.png", content_type: "image/png" });
    expect((await upload(token, bytes(fx.jpeg), { bindings: small })).status).toBe(201);
    await expectRefused(
      await upload(token, bytes(fx.wav), { type: "audio/wav", bindings: small }),
      409,
      "conflict",
      /You already have 2 assets, the most allowed \(2\)/,
    );
    // A declared length over what is left is refused before the body is read.
    const big = countingStream(2);
    await expectRefused(
      await upload(token, big.stream, { length: 2_000_000, bindings: { ASSET_QUOTA_MB: "1" } }),
      413,
      "payload_too_large",
      /does not fit in your storage quota/,
    );
    expect(big.state.pulled).toBeLessThanOrEqual(1);
    expect((await env.MEDIA.list({ prefix: `assets/${user.id}/` })).objects).toHaveLength(2);
  });

  it("records a row only while the quota has room, atomically with the duplicate check", async () => {
    const { user } = await signUp();
    const quotaEnv = withVars({ ASSET_QUOTA_MB: "1", ASSET_QUOTA_COUNT: "10" });
    const row = (id: string, sizeBytes: number, sha256: string) => ({
      id,
      userId: user.id,
      kind: "image" as const,
      contentType: "image/png",
      name: `${id}.png`,
      sizeBytes,
      sha256,
      r2Key: `assets/${user.id}/${id}`,
      createdAt: Date.now(),
    });
    expect(await insertWithinQuota(quotaEnv, row(crypto.randomUUID(), 900_000, "a".repeat(64)))).toBe(
      "inserted",
    );
    expect(await insertWithinQuota(quotaEnv, row(crypto.randomUUID(), 10, "a".repeat(64)))).toBe("duplicate");
    await expect(
      insertWithinQuota(quotaEnv, row(crypto.randomUUID(), 200_000, "b".repeat(64))),
    ).rejects.toThrow(/0\.9 MB of 1\.0 MB used/);
    expect(await insertWithinQuota(quotaEnv, row(crypto.randomUUID(), 100_000, "c".repeat(64)))).toBe(
      "inserted",
    );
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM assets WHERE user_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(n?.n).toBe(2);
  });
});
