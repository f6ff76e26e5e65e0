/**
 * Security regressions (issue 16): every probe of the security review, kept passing over the real
 * app. Each group is a table, so a new route or a new probe is one line:
 *
 * 1. Sessions: forged, expired and malformed JWTs and odd Authorization headers are 401 in the
 *    error shape on every kind of authenticated route, and start nothing.
 * 2. Ownership: user B's token on every route with an id of user A's is the 404 of a missing id
 *    (the table must name every such route the app declares), and A's records are unchanged.
 * 3. Malformed bodies: every JSON route refuses non-JSON, non-objects, wrong types, unknown fields,
 *    over-long strings, invisible-only text and bodies over the limit with 4xx, writing nothing.
 * 4. Live sockets: a ticket opens one socket, for its own group and user, and nothing opens
 *    without one.
 * 5. Signed links (media and API downloads): tampered, expired, cross-object or malformed links are
 *    4xx in the error shape, never 500 and never the bytes.
 *
 * Sign-in and registration limits (per email, per address, forged X-Forwarded-For) are pinned in
 * auth.test.ts ("accounts") and are not repeated here.
 */
import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { app } from "../src/app.ts";
import type { AssetView } from "../src/assets/view.ts";
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from "../src/auth/tokens.ts";
import { issueLiveTicket } from "../src/lib/live-tickets.ts";
import { signedApiUrl, signedMediaUrl } from "../src/lib/media-signing.ts";
import type { ReferenceBatchView } from "../src/references/view.ts";
import { batchSettled, call, cancelAllRunning, send, signUp, uploadAsset } from "./helpers.ts";
import { generate, status, waitFor } from "./pipeline-helpers.ts";

const fx = inject("assetFixtures");
const ORIGIN = "http://local.test";

type User = Awaited<ReturnType<typeof signUp>>;
/** A's records, which B probes, and B's own. */
interface Ids {
  generation: string;
  group: string;
  image: string;
  audio: string;
  video: string;
  reference: string;
  export: string;
}
let a: User;
let b: User;
let ids: Ids;
let bGroup: string;
let bVideo: string;
/** Ids of nobody's records: what B's answers must be indistinguishable from. */
const nobody: Ids = {
  generation: crypto.randomUUID(),
  group: crypto.randomUUID(),
  image: crypto.randomUUID(),
  audio: crypto.randomUUID(),
  video: crypto.randomUUID(),
  reference: crypto.randomUUID(),
  export: crypto.randomUUID(),
};
const EXPORT_BYTES = "an export that only its owner may download";
const PROMPT = "Cold brew coffee for night-shift nurses";
/** Only invisible characters the prompt rules strip: zero-width space and joiners, marks, bidi controls, BOM. */
const ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u202e\u2066\ufeff".repeat(20);

const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

/** Asserts the API's one error shape, `{ error: { code, message, details? } }`, and returns it. */
async function expectError(res: Response, statusCode: number, code: string, what = "") {
  expect(res.status, what).toBe(statusCode);
  expect(res.headers.get("content-type"), what).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
  const details = "details" in (body.error ?? {}) ? { details: expect.anything() } : {};
  expect(body, what).toEqual({ error: { code, message: expect.any(String), ...details } });
  return body.error;
}

/** Rows per table: what a refused request must leave as it was. */
async function rowCounts() {
  const tables = ["users", "generation_groups", "generations", "assets", "exports"];
  const counts = await Promise.all(
    tables.map(
      async (t) => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${t}`).first<{ n: number }>())!.n,
    ),
  );
  return Object.fromEntries(tables.map((t, i) => [t, counts[i]!]));
}

/** A's records as A sees them, without the signed links (their expiry moves with time). */
async function aState() {
  const gen = await status(a.token, ids.generation);
  const read = async (path: string) => {
    const res = await send(a.token, "GET", path);
    expect(res.status, path).toBe(200);
    return res.json();
  };
  const group = (await read(`/api/comparisons/${ids.group}`)) as {
    winner_generation_id: string | null;
    variations: unknown[];
  };
  const reference = (await read(`/api/references/${ids.reference}`)) as ReferenceBatchView;
  const assets = await Promise.all(
    [ids.image, ids.audio, ids.video].map(async (id) => {
      const view = (await read(`/api/assets/${id}`)) as AssetView;
      const object = await env.MEDIA.head(new URL(view.url).pathname.slice("/media/".length));
      return { id: view.id, size: view.size_bytes, etag: object?.etag ?? null };
    }),
  );
  const exportRow = await env.DB.prepare(
    "SELECT status, downloads, cancelled, user_id FROM exports WHERE id = ?",
  )
    .bind(ids.export)
    .first();
  return {
    generation: {
      status: gen.status,
      current_step: gen.current_step,
      revision: gen.revision,
      version: gen.version,
      refinements: gen.refinements,
      error: gen.error,
      prompt: gen.prompt,
      scenes: gen.scenes.map((s) => ({
        type: s.type,
        overlay_text: s.overlay_text,
        overlay_position: s.overlay_position,
        visual_prompt: s.visual_prompt,
        duration_s: s.duration_s,
        keyframe: s.keyframe_url && new URL(s.keyframe_url).pathname,
      })),
    },
    group: { winner: group.winner_generation_id, variations: group.variations.length },
    reference: { status: reference.status, candidates: reference.candidates.map((c) => c.status) },
    assets,
    export: exportRow,
  };
}

beforeAll(async () => {
  [a, b] = await Promise.all([signUp(), signUp()]);
  // One thing uses the render container at a time here (the uploads' probes, A's keyframes, A's
  // reference, B's cancelled run): the isolate's one renderer pool wakes a job waiting in one
  // Durable Object from another's I/O context, which workerd refuses (reported with issue 16).
  const [image, audio, video, ownVideo] = await Promise.all([
    uploadAsset(a.token, fx.png, "image/png"),
    uploadAsset(a.token, fx.wav, "audio/wav"),
    uploadAsset(a.token, fx.colourClips[0]!, "video/mp4"),
    uploadAsset(b.token, fx.colourClips[1]!, "video/mp4"),
  ]);
  bVideo = ownVideo;
  // A's ad rests in storyboard review: stable, editable, approvable, and no video is rendered.
  const aGen = await generate(a.token, PROMPT, { workflow: "storyboard" });
  await waitFor(
    a.token,
    aGen.generation_id,
    (s) => s.status === "storyboard" && s.current_step === "Storyboard ready for review",
    100_000,
  );
  const batch = await send(a.token, "POST", "/api/references", {
    description: "a steel thermos",
    kind: "product",
    count: 1,
  });
  expect(batch.status).toBe(202);
  const reference = ((await batch.json()) as ReferenceBatchView).id;
  await batchSettled(a.token, reference);
  // B's group only needs to exist: its generation is cancelled at once.
  const bGen = await generate(b.token, "A thermos for early commuters, owned by B");
  bGroup = bGen.group_id;
  expect((await send(b.token, "POST", `/api/generations/${bGen.generation_id}/cancel`)).status).toBe(202);
  // A finished export of A's ad: inserted directly (a real one needs a rendered ad), with its file.
  const exportId = crypto.randomUUID();
  const exportKey = `exports/${aGen.generation_id}/security-${exportId}.mp4`;
  await env.MEDIA.put(exportKey, EXPORT_BYTES, { httpMetadata: { contentType: "video/mp4" } });
  await env.DB.prepare(
    `INSERT INTO exports (id, user_id, generation_id, version, format, quality, aspect, status, progress,
       r2_key, size_bytes, created_at, completed_at)
     VALUES (?, ?, ?, 1, 'mp4', 480, '9:16', 'completed', 100, ?, ?, ?, ?)`,
  )
    .bind(exportId, a.user.id, aGen.generation_id, exportKey, EXPORT_BYTES.length, Date.now(), Date.now())
    .run();
  ids = {
    generation: aGen.generation_id,
    group: aGen.group_id,
    image,
    audio,
    video,
    reference,
    export: exportId,
  };
}, 120_000);

afterAll(cancelAllRunning);

// ---------------------------------------------------------------------------------------------
// 1. Sessions
// ---------------------------------------------------------------------------------------------

const bytes = (s: string) => new TextEncoder().encode(s);
const b64url = (data: Uint8Array) =>
  btoa(String.fromCharCode(...data))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
const part = (value: unknown) => b64url(bytes(typeof value === "string" ? value : JSON.stringify(value)));
const HS256 = { alg: "HS256", typ: "JWT" };
const now = () => Math.floor(Date.now() / 1000);

/** A hand-made JWT: `key` null leaves the signature empty; `hash` picks the HMAC. */
async function jwt(header: unknown, payload: unknown, key: string | null, hash = "SHA-256") {
  const unsigned = `${part(header)}.${part(payload)}`;
  if (key === null) return `${unsigned}.`;
  const k = await crypto.subtle.importKey("raw", bytes(key), { name: "HMAC", hash }, false, ["sign"]);
  return `${unsigned}.${b64url(new Uint8Array(await crypto.subtle.sign("HMAC", k, bytes(unsigned))))}`;
}
/** The claims the app issues for `user`, with `extra` over them. */
const claims = (user: User, extra: Record<string, unknown> = {}) => ({
  sub: user.user.id,
  email: user.email,
  iss: TOKEN_ISSUER,
  aud: TOKEN_AUDIENCE,
  iat: now(),
  exp: now() + 3600,
  ...extra,
});
const secret = () => env.JWT_SECRET!;
const sigOf = (token: string) => token.split(".")[2]!;
/** The first character changes (the last base64url one may only carry padding bits). */
const flipFirst = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1);

/** Tokens that must never authenticate anyone. */
const FORGED_TOKENS: [string, () => Promise<string> | string][] = [
  ['alg "none", no signature', () => jwt({ alg: "none", typ: "JWT" }, claims(a), null)],
  ['alg "None"', () => jwt({ alg: "None", typ: "JWT" }, claims(a), null)],
  ['alg "NONE"', () => jwt({ alg: "NONE" }, claims(a), null)],
  [
    'alg "none" over a valid signature',
    async () =>
      `${part({ alg: "none", typ: "JWT" })}.${part(claims(a))}.${sigOf(await jwt(HS256, claims(a), secret()))}`,
  ],
  [
    "HS256 signed with another key",
    () => jwt(HS256, claims(a), "another-secret-of-about-the-same-length-0123"),
  ],
  ["HS256 signed with the secret plus a character", () => jwt(HS256, claims(a), `${secret()}x`)],
  [
    "HS512 signed with the right secret",
    () => jwt({ alg: "HS512", typ: "JWT" }, claims(a), secret(), "SHA-512"),
  ],
  ["RS256 header over an HS256 signature", () => jwt({ alg: "RS256", typ: "JWT" }, claims(a), secret())],
  ["expired an hour ago", () => jwt(HS256, claims(a, { iat: now() - 7200, exp: now() - 3600 }), secret())],
  ["expired a second ago", () => jwt(HS256, claims(a, { iat: now() - 60, exp: now() - 1 }), secret())],
  ["not valid before tomorrow (nbf)", () => jwt(HS256, claims(a, { nbf: now() + 86_400 }), secret())],
  [
    "issued in the future (iat)",
    () => jwt(HS256, claims(a, { iat: now() + 3600, exp: now() + 7200 }), secret()),
  ],
  ["without exp", () => jwt(HS256, claims(a, { exp: undefined }), secret())],
  ["exp as a string", () => jwt(HS256, claims(a, { exp: String(now() + 3600) }), secret())],
  ["without sub", () => jwt(HS256, claims(a, { sub: undefined }), secret())],
  ["sub as a number", () => jwt(HS256, claims(a, { sub: 42 }), secret())],
  ["another issuer", () => jwt(HS256, claims(a, { iss: "someone-else" }), secret())],
  ["another audience", () => jwt(HS256, claims(a, { aud: "another-api" }), secret())],
  ["a crit header", () => jwt({ ...HS256, crit: ["exp"] }, claims(a), secret())],
  ['typ "at+jwt"', () => jwt({ alg: "HS256", typ: "at+jwt" }, claims(a), secret())],
  [
    "B's token with A's id in its payload",
    () => {
      const [h, p, s] = b.token.split(".") as [string, string, string];
      const payload = JSON.parse(atob(p.replace(/-/g, "+").replace(/_/g, "/")));
      return `${h}.${part({ ...payload, sub: a.user.id, email: a.email })}.${s}`;
    },
  ],
  ["A's token with B's signature", () => `${a.token.split(".").slice(0, 2).join(".")}.${sigOf(b.token)}`],
  ["A's token with its signature removed", () => `${a.token.split(".").slice(0, 2).join(".")}.`],
  ["A's token with one signature character changed", () => a.token.replace(/[^.]+$/, flipFirst)],
  ["A's token with a payload that is not JSON", () => a.token.replace(/\.[^.]+\./, `.${part("not json")}.`)],
  ["a header that is not JSON", () => `${part("{alg:HS256")}.${part(claims(a))}.${sigOf(a.token)}`],
  ["two parts", () => "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0"],
  ["four parts", () => `${a.token}.extra`],
  ["one word", () => "garbage"],
  ["only dots", () => ".."],
  ['"null"', () => "null"],
  ["10 KB of letters", () => "a".repeat(10_000)],
];

/** Authorization headers that carry no session (`undefined`: no header at all). */
const ODD_HEADERS: [string, () => string | undefined][] = [
  ["no header", () => undefined],
  ["empty", () => ""],
  ['"Bearer" alone', () => "Bearer"],
  ['"Bearer " and nothing', () => "Bearer "],
  ["Basic credentials", () => `Basic ${btoa(`${a.email}:${a.password}`)}`],
  ["A's token under another scheme", () => `Token ${a.token}`],
  ["A's token without a scheme", () => a.token],
  ["A's token with trailing words", () => `Bearer ${a.token} please`],
  ["A's token twice", () => `Bearer ${a.token}, Bearer ${a.token}`],
  ["no space after Bearer", () => `Bearer${a.token}`],
];

/** One route of each kind of authentication; `ok` is the status A's real token gets (null: not sent). */
const SESSION_ROUTES: { method: string; path: () => string; body?: unknown; ok: number | null }[] = [
  { method: "GET", path: () => "/api/me", ok: 200 },
  // The status poll trusts the signed token alone (no account read): the signature is everything.
  { method: "GET", path: () => `/api/status/${ids.generation}`, ok: 200 },
  // Signed link or bearer token: without `sig`, the token.
  { method: "GET", path: () => `/api/generations/${ids.generation}/captions.vtt`, ok: 409 },
  // Mounted outside the JSON API.
  { method: "GET", path: () => "/api/assets", ok: 200 },
  { method: "POST", path: () => `/api/groups/${ids.group}/ticket`, ok: 200 },
  {
    method: "POST",
    path: () => "/api/generate",
    body: { prompt: "An ad no forged session may start" },
    ok: null,
  },
];

function withAuthorization(route: (typeof SESSION_ROUTES)[number], authorization: string | undefined) {
  const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
  if (route.body !== undefined) headers["Content-Type"] = "application/json";
  return call(route.path(), {
    method: route.method,
    headers,
    ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
  });
}

describe("sessions: forged, expired and malformed tokens are 401 everywhere", () => {
  let before: Record<string, number>;
  beforeAll(async () => {
    before = await rowCounts();
  });

  it("lets a hand-signed token of the app's own form through (the control for every case below)", async () => {
    const token = await jwt(HS256, claims(a), secret());
    for (const route of SESSION_ROUTES.filter((r) => r.ok !== null))
      expect((await withAuthorization(route, `Bearer ${token}`)).status, route.path()).toBe(route.ok);
  });

  for (const [label, make] of FORGED_TOKENS)
    it(`refuses ${label}`, async () => {
      const token = await make();
      for (const route of SESSION_ROUTES)
        await expectError(
          await withAuthorization(route, `Bearer ${token}`),
          401,
          "unauthorized",
          `${route.method} ${route.path()}`,
        );
    });

  for (const [label, header] of ODD_HEADERS)
    it(`refuses an Authorization header: ${label}`, async () => {
      for (const route of SESSION_ROUTES)
        await expectError(
          await withAuthorization(route, header()),
          401,
          "unauthorized",
          `${route.method} ${route.path()}`,
        );
    });

  it("refuses a well-signed token of an account that does not exist; the token-only status read shows nothing", async () => {
    const ghost = { ...a, user: { ...a.user, id: crypto.randomUUID() } };
    const token = await jwt(HS256, claims(ghost), secret());
    for (const route of SESSION_ROUTES.filter((r) => !r.path().startsWith("/api/status/")))
      await expectError(await withAuthorization(route, `Bearer ${token}`), 401, "unauthorized", route.path());
    await expectError(await send(token, "GET", `/api/status/${ids.generation}`), 404, "not_found");
  });

  it("takes no session from the query string", async () => {
    for (const path of ["/api/me", `/api/status/${ids.generation}`])
      await expectError(
        await call(`${path}?token=${a.token}&access_token=${a.token}`),
        401,
        "unauthorized",
        path,
      );
  });

  it("started and wrote nothing for any refused session", async () => {
    expect(await rowCounts()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Ownership
// ---------------------------------------------------------------------------------------------

type IdKind = "generation" | "image" | "reference";
/** A route with an id in its path: which of A's records its `:id` names, and a valid body. */
type IdRoute = { id?: IdKind; body?: (ids: Ids) => unknown } | "live socket";

/**
 * Every route the app declares with an id in its path, as `METHOD pattern` exactly as declared.
 * A new one fails the coverage test below until it is added here. The live sockets take tickets,
 * not sessions: section 4 covers them.
 */
const ID_ROUTES: Record<string, IdRoute> = {
  "GET /api/status/:id": { id: "generation" },
  "GET /api/generations/:id": { id: "generation" },
  "DELETE /api/generations/:id": { id: "generation" },
  "POST /api/generations/:id/cancel": { id: "generation" },
  "GET /api/generations/:id/metadata": { id: "generation" },
  "GET /api/generations/:id/captions.vtt": { id: "generation" },
  "GET /api/generations/:id/captions.srt": { id: "generation" },
  "PATCH /api/generations/:id/scenes/:index": {
    id: "generation",
    body: () => ({ overlay_text: "Taken over" }),
  },
  "DELETE /api/generations/:id/scenes/:index": { id: "generation" },
  "POST /api/generations/:id/scenes/:index/refine": {
    id: "generation",
    body: () => ({ instruction: "make it about my product instead" }),
  },
  "POST /api/generations/:id/reorder": { id: "generation", body: () => ({ order: [3, 2, 1, 0] }) },
  "POST /api/generations/:id/scenes": {
    id: "generation",
    body: () => ({
      at: 0,
      type: "attention",
      overlay_text: "B was here",
      visual_prompt: "a stranger's product",
    }),
  },
  "GET /api/generations/:id/approval": { id: "generation" },
  "POST /api/generations/:id/approve": { id: "generation" },
  "POST /api/generations/:id/versions": { id: "generation" },
  "GET /api/generations/:id/versions": { id: "generation" },
  "POST /api/generations/:id/exports": { id: "generation", body: () => ({ format: "mp4", quality: 480 }) },
  "GET /api/generations/:id/exports": { id: "generation" },
  "GET /api/generations/:id/exports/:export_id": { id: "generation" },
  "POST /api/generations/:id/exports/:export_id/cancel": { id: "generation" },
  "GET /api/generations/:id/exports/:export_id/download": { id: "generation" },
  "GET /api/comparisons/:group_id": {},
  "DELETE /api/comparisons/:group_id": {},
  "PUT /api/comparisons/:group_id/winner": { body: (x) => ({ generation_id: x.generation }) },
  "GET /api/comparison/:group_id": {},
  "DELETE /api/comparison/:group_id": {},
  "PUT /api/comparison/:group_id/winner": { body: (x) => ({ generation_id: x.generation }) },
  "POST /api/groups/:group_id/ticket": {},
  "GET /api/groups/:group_id/live": "live socket",
  "GET /api/references/:id": { id: "reference" },
  "POST /api/references/:id/cancel": { id: "reference" },
  "POST /api/references/:id/ticket": { id: "reference" },
  "GET /api/references/:id/live": "live socket",
  "GET /api/assets/:id": { id: "image" },
  "DELETE /api/assets/:id": { id: "image" },
};

/** The path of `pattern` for the records `of`. */
const fill = (pattern: string, of: Ids, id: IdKind = "generation") =>
  pattern
    .replace(":group_id", of.group)
    .replace(":export_id", of.export)
    .replace(":index", "1")
    .replace(":id", of[id]);

/** `METHOD pattern` of every route the app declares (middleware excluded). */
const declaredRoutes = () => [
  ...new Set(app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`)),
];

/** Requests that name A's assets inside the body: 404 as a missing asset, and nothing created. */
const FOREIGN_IDS_IN_BODIES: [string, string, (x: Ids) => unknown][] = [
  [
    "generate with A's image as reference_image",
    "/api/generate",
    (x) => ({ prompt: PROMPT, settings: { reference_image: x.image } }),
  ],
  [
    "generate with A's image as logo",
    "/api/generate",
    (x) => ({ prompt: PROMPT, settings: { logo: x.image } }),
  ],
  [
    "generate with A's audio as music",
    "/api/generate",
    (x) => ({ prompt: PROMPT, settings: { music: x.audio } }),
  ],
  [
    "a comparison with A's image as reference_image",
    "/api/comparisons",
    (x) => ({ variations: [{ prompt: PROMPT }, { prompt: PROMPT, settings: { reference_image: x.image } }] }),
  ],
  ["a stitch of B's clip and A's clip", "/api/stitch", (x) => ({ clips: [bVideo, x.video] })],
  ["a stitch with A's audio as music", "/api/stitch", (x) => ({ clips: [bVideo, bVideo], music: x.audio })],
  ["a stitch with A's image as logo", "/api/stitch", (x) => ({ clips: [bVideo, bVideo], logo: x.image })],
];

describe("ownership: B's token on A's ids is a 404, as for ids of nobody", () => {
  let before: Awaited<ReturnType<typeof aState>>;
  beforeAll(async () => {
    before = await aState();
  });

  it("has a case for every route the app declares with an id in its path", () => {
    const withIds = declaredRoutes().filter((r) => r.includes("/:"));
    expect(withIds.sort()).toEqual(Object.keys(ID_ROUTES).sort());
  });

  for (const [route, spec] of Object.entries(ID_ROUTES)) {
    if (spec === "live socket") continue;
    it(`${route}: 404 for B, the same answer as a missing id`, async () => {
      const [method, pattern] = route.split(" ") as [string, string];
      const probe = (of: Ids) => send(b.token, method, fill(pattern, of, spec.id), spec.body?.(of));
      const foreign = await expectError(await probe(ids), 404, "not_found", route);
      const missing = await expectError(await probe(nobody), 404, "not_found", route);
      expect(foreign).toEqual(missing);
    });
  }

  for (const [label, path, body] of FOREIGN_IDS_IN_BODIES)
    it(`refuses ${label} with 404, creating nothing`, async () => {
      const counts = await rowCounts();
      const error = await expectError(await send(b.token, "POST", path, body(ids)), 404, "not_found", label);
      expect(error.message).toBe("Asset not found");
      expect(await rowCounts()).toEqual(counts);
    });

  it("refuses B's generation as the winner of A's comparison", async () => {
    const bGeneration = (await env.DB.prepare("SELECT id FROM generations WHERE group_id = ?")
      .bind(bGroup)
      .first<{ id: string }>())!.id;
    const res = await send(a.token, "PUT", `/api/comparisons/${ids.group}/winner`, {
      generation_id: bGeneration,
    });
    const error = await expectError(res, 400, "validation_failed");
    expect(Object.keys((error.details as { fields: object }).fields)).toEqual(["generation_id"]);
  });

  it("left every record of A as it was, and A still reads each of them", async () => {
    expect(await aState()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Malformed bodies
// ---------------------------------------------------------------------------------------------

const TEN_MB = new Uint8Array(10 * 1024 * 1024).fill(0x20);
/** Bodies no JSON route accepts: [label, body, Content-Type, status, code]. */
const RAW_BODIES: [string, () => BodyInit, string, number, string][] = [
  ["broken JSON", () => "{not json", "application/json", 400, "bad_request"],
  ["an empty body", () => "", "application/json", 400, "bad_request"],
  ["a JSON array", () => "[]", "application/json", 400, "validation_failed"],
  ["JSON null", () => "null", "application/json", 400, "validation_failed"],
  ["a JSON string", () => '"a luxury watch ad"', "application/json", 400, "validation_failed"],
  ["a JSON number", () => "42", "application/json", 400, "validation_failed"],
  ["JSON true", () => "true", "application/json", 400, "validation_failed"],
  ["an empty object", () => "{}", "application/json", 400, "validation_failed"],
  ["only __proto__", () => '{"__proto__":{"admin":true}}', "application/json", 400, "validation_failed"],
  [
    "5000 nested arrays",
    () => `${"[".repeat(5000)}${"]".repeat(5000)}`,
    "application/json",
    400,
    "validation_failed",
  ],
  ["JSON sent as text/plain", () => "{}", "text/plain", 415, "unsupported_media_type"],
  [
    "a form",
    () => "prompt=a+luxury+watch+ad",
    "application/x-www-form-urlencoded",
    415,
    "unsupported_media_type",
  ],
  [
    "65 KiB of JSON",
    () => JSON.stringify({ pad: "x".repeat(65 * 1024) }),
    "application/json",
    413,
    "payload_too_large",
  ],
  ["10 MB", () => TEN_MB, "application/json", 413, "payload_too_large"],
  [
    "10 MB streamed without a length",
    () => new Blob([TEN_MB]).stream(),
    "application/json",
    413,
    "payload_too_large",
  ],
];

const uuid = () => crypto.randomUUID();
/** Per route: bodies of the right form but wrong content → 400 naming `field` (null: any field). */
type BadBodies = [string, (x: Ids) => unknown, string | null][];
const COMPARISON_BODIES: BadBodies = [
  ["one variation", () => ({ variations: [{ prompt: PROMPT }] }), "variations"],
  [
    "six variations",
    () => ({ variations: Array.from({ length: 6 }, () => ({ prompt: PROMPT })) }),
    "variations",
  ],
  ["an unknown mode", () => ({ mode: "admin", prompt: PROMPT }), null],
  [
    "prompts of invisible characters only",
    () => ({ mode: "prompt", prompts: [ZERO_WIDTH, ZERO_WIDTH] }),
    "prompts.0",
  ],
  [
    "an unknown field in a variation",
    () => ({ variations: [{ prompt: PROMPT, user_id: "x" }, { prompt: PROMPT }] }),
    null,
  ],
  [
    "an unknown top-level field",
    () => ({ variations: [{ prompt: PROMPT }, { prompt: PROMPT }], owner: "x" }),
    null,
  ],
];
const WINNER_BODIES: BadBodies = [
  ["generation_id as a number", () => ({ generation_id: 7 }), "generation_id"],
  ["generation_id of 65 characters", () => ({ generation_id: "g".repeat(65) }), "generation_id"],
  ["no generation_id", (x) => ({ winner: x.generation }), "generation_id"],
];
const AUTH_BODIES: BadBodies = [
  ["email as a number", () => ({ email: 5, password: "long enough password" }), "email"],
  ["email as an array", () => ({ email: [], password: "long enough password" }), "email"],
  [
    "password of 201 characters",
    () => ({ email: "someone@example.com", password: "p".repeat(201) }),
    "password",
  ],
  ["password as an object", () => ({ email: "someone@example.com", password: {} }), "password"],
];

/**
 * Every JSON route: `as` whose token it is sent with (null: none), and its wrong bodies. The
 * generic RAW_BODIES go to each as well. A's ids, so only the body can be what is refused.
 */
const JSON_ROUTES: Record<string, { as: "a" | null; bad: BadBodies }> = {
  "POST /api/auth/register": { as: null, bad: AUTH_BODIES },
  "POST /api/auth/login": { as: null, bad: AUTH_BODIES },
  "POST /api/generate": {
    as: "a",
    bad: [
      ["a prompt of invisible characters only", () => ({ prompt: ZERO_WIDTH }), "prompt"],
      ["the prompt as a number", () => ({ prompt: 1234567890123 }), "prompt"],
      ["the prompt as an array", () => ({ prompt: [PROMPT] }), "prompt"],
      ["a prompt of 501 characters", () => ({ prompt: "p".repeat(501) }), "prompt"],
      ["a prompt of 60 000 characters", () => ({ prompt: "p".repeat(60_000) }), "prompt"],
      ["settings as a string", () => ({ prompt: PROMPT, settings: "fast" }), "settings"],
      [
        "a duration as a string",
        () => ({ prompt: PROMPT, settings: { duration_s: "15" } }),
        "settings.duration_s",
      ],
      ["an unknown setting", () => ({ prompt: PROMPT, settings: { admin: true } }), "settings"],
      [
        "an R2 key as reference_image",
        () => ({ prompt: PROMPT, settings: { reference_image: "assets/x/y" } }),
        "settings.reference_image",
      ],
      ["a negative seed", () => ({ prompt: PROMPT, settings: { seed: -1 } }), "settings.seed"],
    ],
  },
  "POST /api/comparisons": { as: "a", bad: COMPARISON_BODIES },
  "POST /api/generate/parallel": { as: "a", bad: COMPARISON_BODIES },
  "PUT /api/comparisons/:group_id/winner": { as: "a", bad: WINNER_BODIES },
  "PUT /api/comparison/:group_id/winner": { as: "a", bad: WINNER_BODIES },
  "PUT /api/me/budget": {
    as: "a",
    bad: [
      ["the amount as a string", () => ({ monthly_usd: "10" }), "monthly_usd"],
      ["a negative amount", () => ({ monthly_usd: -1 }), "monthly_usd"],
      ["an amount over the cap", () => ({ monthly_usd: 1e9 }), "monthly_usd"],
      ["an unknown field", () => ({ monthly_usd: 10, user_id: "someone-else" }), null],
    ],
  },
  "PATCH /api/generations/:id/scenes/:index": {
    as: "a",
    bad: [
      ["empty overlay text", () => ({ overlay_text: "" }), "overlay_text"],
      ["overlay text of 121 characters", () => ({ overlay_text: "o".repeat(121) }), "overlay_text"],
      ["a duration as a string", () => ({ duration_s: "5" }), "duration_s"],
      ["a position off the list", () => ({ position: "offscreen" }), "position"],
      ["only a revision", () => ({ revision: 0 }), null],
      ["an unknown field", () => ({ overlay_text: "fine", clip_url: "https://evil.example/x.mp4" }), null],
    ],
  },
  "POST /api/generations/:id/scenes/:index/refine": {
    as: "a",
    bad: [
      ["the instruction as a number", () => ({ instruction: 42 }), "instruction"],
      ["an instruction of one character", () => ({ instruction: "x" }), "instruction"],
      ["an instruction of 301 characters", () => ({ instruction: "i".repeat(301) }), "instruction"],
      ["an unknown field", () => ({ instruction: "brighter please", model: "another-model" }), null],
    ],
  },
  "POST /api/generations/:id/reorder": {
    as: "a",
    bad: [
      ["the order as a string", () => ({ order: "3,2,1,0" }), "order"],
      ["an empty order", () => ({ order: [] }), "order"],
      ["six entries", () => ({ order: [0, 1, 2, 3, 4, 5] }), "order"],
      ["a fractional index", () => ({ order: [0.5, 1, 2, 3] }), "order.0"],
      ["a negative index", () => ({ order: [-1, 0, 1, 2] }), "order.0"],
    ],
  },
  "POST /api/generations/:id/scenes": {
    as: "a",
    bad: [
      [
        "a position past the end",
        () => ({ at: 9, type: "attention", overlay_text: "x", visual_prompt: "y" }),
        "at",
      ],
      [
        "an unknown scene type",
        () => ({ at: 0, type: "<script>", overlay_text: "x", visual_prompt: "y" }),
        "type",
      ],
      ["no visual prompt", () => ({ at: 0, type: "attention", overlay_text: "x" }), "visual_prompt"],
      [
        "a visual prompt of 601 characters",
        () => ({ at: 0, type: "attention", overlay_text: "x", visual_prompt: "v".repeat(601) }),
        "visual_prompt",
      ],
    ],
  },
  "POST /api/generations/:id/exports": {
    as: "a",
    bad: [
      ["an unknown format", () => ({ format: "exe", quality: 480 }), "format"],
      ["quality 481", () => ({ format: "mp4", quality: 481 }), "quality"],
      ["quality as a string", () => ({ format: "mp4", quality: "480" }), "quality"],
      ["an unknown preset", () => ({ preset: "nope" }), "preset"],
      ["an R2 key field", () => ({ format: "mp4", quality: 480, r2_key: "../../renders/x/video.mp4" }), null],
    ],
  },
  "POST /api/stitch": {
    as: "a",
    bad: [
      ["clips as a string", () => ({ clips: "a,b" }), "clips"],
      ["one clip", () => ({ clips: [uuid()] }), "clips"],
      ["nine clips", () => ({ clips: Array.from({ length: 9 }, uuid) }), "clips"],
      ["R2 keys as clips", () => ({ clips: ["assets/x/y", "assets/x/z"] }), "clips.0"],
      ["a title of 1000 characters", () => ({ clips: [uuid(), uuid()], title: "t".repeat(1000) }), "title"],
      ["an unknown field", () => ({ clips: [uuid(), uuid()], user_id: "x" }), null],
    ],
  },
  "POST /api/references": {
    as: "a",
    bad: [
      [
        "a description of invisible characters only",
        () => ({ description: ZERO_WIDTH, kind: "product" }),
        "description",
      ],
      ["the description as a number", () => ({ description: 5, kind: "product" }), "description"],
      ["an unknown kind", () => ({ description: "a steel thermos", kind: "weapon" }), "kind"],
      [
        "the count as a string",
        () => ({ description: "a steel thermos", kind: "product", count: "2" }),
        "count",
      ],
      ["an unknown field", () => ({ description: "a steel thermos", kind: "product", seed: 1 }), null],
    ],
  },
};

/** POST/PUT/PATCH routes that take no JSON body (the upload takes a file: assets.test.ts). */
const BODYLESS_ROUTES = [
  "POST /api/assets",
  "POST /api/generations/:id/cancel",
  "POST /api/generations/:id/approve",
  "POST /api/generations/:id/versions",
  "POST /api/generations/:id/exports/:export_id/cancel",
  "POST /api/groups/:group_id/ticket",
  "POST /api/references/:id/cancel",
  "POST /api/references/:id/ticket",
];

describe("malformed bodies: 4xx in the error shape, and nothing written", () => {
  let before: Awaited<ReturnType<typeof aState>>;
  beforeAll(async () => {
    before = await aState();
  });

  it("has a case for every route that takes a body", () => {
    const withBodies = declaredRoutes().filter((r) => /^(POST|PUT|PATCH) \/api\//.test(r));
    expect(withBodies.sort()).toEqual([...Object.keys(JSON_ROUTES), ...BODYLESS_ROUTES].sort());
  });

  for (const [route, spec] of Object.entries(JSON_ROUTES))
    it(`${route}: refuses ${RAW_BODIES.length + spec.bad.length} malformed bodies`, async () => {
      const [method, pattern] = route.split(" ") as [string, string];
      const path = fill(pattern, ids);
      const auth: Record<string, string> = spec.as ? { Authorization: `Bearer ${a.token}` } : {};
      const counts = await rowCounts();
      for (const [label, body, type, code, errorCode] of RAW_BODIES) {
        const res = await call(path, {
          method,
          headers: { ...auth, "Content-Type": type },
          body: body(),
          // A stream needs this in a Request's init (fetch's half-duplex rule).
          ...({ duplex: "half" } as object),
        });
        await expectError(res, code, errorCode, `${route} with ${label}`);
      }
      for (const [label, body, field] of spec.bad) {
        const res = await call(path, {
          method,
          headers: { ...auth, "Content-Type": "application/json" },
          body: JSON.stringify(body(ids)),
        });
        const error = await expectError(res, 400, "validation_failed", `${route} with ${label}`);
        if (field)
          expect(
            Object.keys((error.details as { fields: object }).fields),
            `${route} with ${label}`,
          ).toContain(field);
      }
      expect(await rowCounts()).toEqual(counts);
    });

  it("left A's storyboard, group, budget and records as they were", async () => {
    expect(await aState()).toEqual(before);
    const me = (await (await send(a.token, "GET", "/api/me")).json()) as { budget: unknown };
    const fresh = (await (await send(b.token, "GET", "/api/me")).json()) as { budget: unknown };
    expect(me.budget).toEqual(fresh.budget);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Live sockets
// ---------------------------------------------------------------------------------------------

async function groupTicket(user: User, groupId: string) {
  const res = await send(user.token, "POST", `/api/groups/${groupId}/ticket`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { ticket: string }).ticket;
}
const liveUrl = (groupId: string, ticket?: string) =>
  `/api/groups/${groupId}/live${ticket === undefined ? "" : `?ticket=${encodeURIComponent(ticket)}`}`;
const upgrade = (path: string) => call(path, { headers: { Upgrade: "websocket" } });

/** Opens and closes a socket, asserting it opened. */
async function opens(path: string) {
  const res = await upgrade(path);
  expect(res.status).toBe(101);
  res.webSocket!.accept();
  res.webSocket!.close();
}

/** Live requests refused before any socket: [label, path, status, code]. */
const REFUSED_LIVE: [string, () => Promise<string>, number, string][] = [
  ["no ticket", async () => liveUrl(ids.group), 401, "unauthorized"],
  ["an empty ticket", async () => liveUrl(ids.group, ""), 401, "unauthorized"],
  ["a ticket of garbage", async () => liveUrl(ids.group, "a.b.c.d.e"), 401, "unauthorized"],
  [
    "A's ticket on B's group",
    async () => liveUrl(bGroup, await groupTicket(a, ids.group)),
    401,
    "unauthorized",
  ],
  [
    "A's ticket with B's user id in it",
    async () => liveUrl(ids.group, (await groupTicket(a, ids.group)).replace(a.user.id, b.user.id)),
    401,
    "unauthorized",
  ],
  [
    "A's ticket with another group in it",
    async () => liveUrl(bGroup, (await groupTicket(a, ids.group)).replace(ids.group, bGroup)),
    401,
    "unauthorized",
  ],
  [
    "a ticket over a minute old",
    async () =>
      liveUrl(ids.group, (await issueLiveTicket(env, a.user.id, ids.group, Date.now() - 120_000)).ticket),
    401,
    "unauthorized",
  ],
  [
    "a well-signed ticket naming B on A's group",
    async () => liveUrl(ids.group, (await issueLiveTicket(env, b.user.id, ids.group)).ticket),
    404,
    "not_found",
  ],
  [
    "a group ticket on the reference-batch socket",
    async () =>
      `/api/references/${ids.group}/live?ticket=${encodeURIComponent(await groupTicket(a, ids.group))}`,
    401,
    "unauthorized",
  ],
  [
    "a reference-batch ticket on the group socket",
    async () => {
      const res = await send(a.token, "POST", `/api/references/${ids.reference}/ticket`);
      return liveUrl(ids.group, ((await res.json()) as { ticket: string }).ticket);
    },
    401,
    "unauthorized",
  ],
];

describe("live socket tickets", () => {
  it("opens one socket per ticket: the same ticket again is refused", async () => {
    const path = liveUrl(ids.group, await groupTicket(a, ids.group));
    await opens(path);
    const replay = await expectError(await upgrade(path), 401, "unauthorized");
    expect(replay.message).toMatch(/already used/);
  });

  for (const [label, path, code, errorCode] of REFUSED_LIVE)
    it(`refuses ${label}`, async () => {
      await expectError(await upgrade(await path()), code, errorCode, label);
    });

  it("takes only WebSocket upgrades on the live path", async () => {
    await expectError(await call(liveUrl(ids.group, await groupTicket(a, ids.group))), 400, "bad_request");
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Signed links
// ---------------------------------------------------------------------------------------------

describe("signed links: tampered, expired or foreign links are 4xx, never the bytes", () => {
  let image: URL;
  let imageKey: string;
  let foreign: URL;
  let download: string;
  let captions: string;
  const swapQuery = (url: URL, f: (q: URLSearchParams) => void) => {
    const q = new URLSearchParams(url.search);
    f(q);
    return `${url.pathname}?${q}`;
  };

  beforeAll(async () => {
    const view = (await (await send(a.token, "GET", `/api/assets/${ids.image}`)).json()) as AssetView;
    image = new URL(view.url);
    imageKey = decodeURIComponent(image.pathname.slice("/media/".length));
    const bView = (await (await send(b.token, "GET", `/api/assets/${bVideo}`)).json()) as AssetView;
    foreign = new URL(bView.url);
    download = `/api/generations/${ids.generation}/exports/${ids.export}/download`;
    captions = `/api/generations/${ids.generation}/captions.vtt`;
  });

  /** Media requests a link must not allow: [label, path and query, status, code]. */
  const REFUSED_MEDIA: [string, () => Promise<string> | string, number, string][] = [
    [
      "a changed signature",
      () => swapQuery(image, (q) => q.set("sig", flipFirst(q.get("sig")!))),
      403,
      "forbidden",
    ],
    [
      "a truncated signature",
      () => swapQuery(image, (q) => q.set("sig", q.get("sig")!.slice(0, 32))),
      403,
      "forbidden",
    ],
    ["no signature", () => swapQuery(image, (q) => q.delete("sig")), 403, "forbidden"],
    ["no expiry", () => swapQuery(image, (q) => q.delete("exp")), 403, "forbidden"],
    [
      "a later expiry",
      () => swapQuery(image, (q) => q.set("exp", String(Number(q.get("exp")) + 3600))),
      403,
      "forbidden",
    ],
    ["an expiry in exponent form", () => swapQuery(image, (q) => q.set("exp", "1e12")), 403, "forbidden"],
    [
      "an expired link",
      async () => pathOf(await signedMediaUrl(env, ORIGIN, imageKey, { ttlSeconds: -10 })),
      403,
      "forbidden",
    ],
    ["A's signature on B's object", () => `${foreign.pathname}${image.search}`, 403, "forbidden"],
    ["B's signature on A's object", () => `${image.pathname}${foreign.search}`, 403, "forbidden"],
    ["A's signature on a neighbouring key", () => `${image.pathname}x${image.search}`, 403, "forbidden"],
    [
      "a PUT link used to read",
      async () => pathOf(await signedMediaUrl(env, ORIGIN, imageKey, { method: "PUT" })),
      403,
      "forbidden",
    ],
    ["a broken percent-escape", () => `/media/%E0%A4%A${image.search}`, 400, "bad_request"],
    ["an invalid percent-escape", () => `/media/assets/%ZZ${image.search}`, 400, "bad_request"],
    ["a lone percent sign", () => `/media/assets/%${image.search}`, 400, "bad_request"],
    // A whole `..` segment is resolved by URL parsing itself; escaped inside a segment, it reaches the key.
    [
      "an escaped parent directory",
      () => `/media/assets%2F%2E%2E%2Fsecrets${image.search}`,
      400,
      "bad_request",
    ],
  ];

  it("serves A's own link (the control for every case below)", async () => {
    const res = await call(pathOf(image.href));
    expect(res.status).toBe(200);
    const png = Uint8Array.from(atob(fx.png), (c) => c.charCodeAt(0));
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);
  });

  for (const [label, path, code, errorCode] of REFUSED_MEDIA)
    it(`refuses media with ${label}`, async () => {
      await expectError(await call(await path()), code, errorCode, label);
    });

  it("refuses a write through A's read link, and the object stays as it was", async () => {
    const etag = (await env.MEDIA.head(imageKey))!.etag;
    const res = await call(pathOf(image.href), {
      method: "PUT",
      headers: { "Content-Type": "image/png", "Content-Length": "8" },
      body: "replaced",
    });
    await expectError(res, 403, "forbidden");
    expect((await env.MEDIA.head(imageKey))!.etag).toBe(etag);
  });

  /** API downloads by signed link (exports, captions): [label, path and query, status, code]. */
  const REFUSED_DOWNLOADS: [string, () => Promise<string>, number, string][] = [
    [
      "a changed signature",
      async () => {
        const u = new URL(await signedApiUrl(env, ORIGIN, download));
        return swapQuery(u, (q) => q.set("sig", flipFirst(q.get("sig")!)));
      },
      403,
      "forbidden",
    ],
    [
      "an expired link",
      async () => pathOf(await signedApiUrl(env, ORIGIN, download, Date.now() - 8 * 3600 * 1000)),
      403,
      "forbidden",
    ],
    [
      "the link of another export",
      async () =>
        `${download.replace(ids.export, nobody.export)}${new URL(await signedApiUrl(env, ORIGIN, download)).search}`,
      403,
      "forbidden",
    ],
    [
      "the captions link used for the export",
      async () => `${download}${new URL(await signedApiUrl(env, ORIGIN, captions)).search}`,
      403,
      "forbidden",
    ],
    [
      "the export link used for another generation's captions",
      async () =>
        `${captions.replace(ids.generation, nobody.generation)}${new URL(await signedApiUrl(env, ORIGIN, captions)).search}`,
      403,
      "forbidden",
    ],
    [
      "a signature with no expiry",
      async () => swapQuery(new URL(await signedApiUrl(env, ORIGIN, download)), (q) => q.delete("exp")),
      403,
      "forbidden",
    ],
  ];

  it("downloads A's export by its signed link (the control for the cases below)", async () => {
    const res = await call(pathOf(await signedApiUrl(env, ORIGIN, download)));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(EXPORT_BYTES);
  });

  for (const [label, path, code, errorCode] of REFUSED_DOWNLOADS)
    it(`refuses a download with ${label}`, async () => {
      const res = await call(await path());
      expect(res.headers.get("content-disposition"), label).toBeNull();
      await expectError(res, code, errorCode, label);
    });
});
