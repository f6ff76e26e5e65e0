/**
 * A local server that speaks OpenAI's protocol faithfully enough for the SDK: chat completions
 * with structured outputs, and the Responses API with background mode (create, retrieve, cancel).
 * Bearer auth; a strict `json_schema` format is required; answers carry `usage`; errors use
 * OpenAI's error body; 429 carries Retry-After; a background response is `queued`, then
 * `in_progress` until its answer is ready, then `completed`; an unknown response id is a 404.
 * The answer is a valid AdSpecification built from the brief in the request.
 *
 * Control (for tests): POST /__admin/script {fail: [status, ...], delayMs, refuse} queues error
 * statuses for the next calls, delays answers (a background response is ready `delayMs` after its
 * create) and makes the next `refuse` responses answer with a refusal;
 * GET /__admin/stats counts calls, creates and answers and lists the responses; POST /__admin/reset;
 * POST /__admin/chaos {rate, seed} fails that share of calls at random (chaos.ts).
 */
import { type ChaosSettings, chaos } from "./chaos.ts";
import { listen, readJson, sendJson } from "./http-util.ts";

export const FAKE_OPENAI_KEY = "sk-test-local";
export const FAKE_USAGE = { prompt_tokens: 1200, completion_tokens: 800 };

interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: {
    type: string;
    json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> };
  };
}

function specFor(brief: string, duration: number) {
  const product = /Brief: ([^\n]+)/.exec(brief)?.[1]?.slice(0, 60) ?? "the product";
  return {
    product,
    brand: {
      name: "Acme Test",
      colours: ["#112233", "#ffcc00", "#fafafa"],
      mood: "energetic",
      visual_style: "bold, high-contrast",
    },
    audience: "people who scroll fast",
    platform: "TikTok",
    framework: "PAS",
    target_duration_s: duration,
    call_to_action: "Try it today",
    scenes: [
      {
        type: "problem",
        overlay_text: "Tired of slow mornings?",
        visual_prompt: "a sleepy person in a grey kitchen",
      },
      {
        type: "agitate",
        overlay_text: "Every minute counts",
        visual_prompt: "a ticking clock, tense close-up",
      },
      {
        type: "solution",
        overlay_text: `Meet ${product.slice(0, 30)}`,
        visual_prompt: `${product.slice(0, 40)} on a bright counter`,
      },
      {
        type: "action",
        overlay_text: "Try it today",
        visual_prompt: "the product centred with space for text",
      },
    ],
  };
}

interface ResponsesBody {
  model: string;
  instructions?: string;
  input: string | { role: string; content: string }[];
  text?: { format?: { type: string; name?: string; strict?: boolean; schema?: Record<string, unknown> } };
  background?: boolean;
  store?: boolean;
  temperature?: number;
}

/** A response of the Responses API as this server keeps it. */
interface StoredResponse {
  id: string;
  createdAt: number;
  body: ResponsesBody;
  status: "queued" | "in_progress" | "completed" | "cancelled";
  readyAt: number;
  /** The answer, made when the response completes. */
  content?: unknown;
  /** Set when the model refuses this one (scripted). */
  refusal?: string;
  retrieves: number;
}

const error = (message: string, type = "invalid_request_error", code: string | null = null) => ({
  error: { message, type, param: null, code },
});

/** What one call asks: which API route, and the response id for the routes that name one. */
function routeOf(method: string | undefined, path: string) {
  if (method === "POST" && path === "/v1/chat/completions") return { api: "chat" } as const;
  if (method === "POST" && path === "/v1/responses") return { api: "create" } as const;
  const named = /^\/v1\/responses\/([\w-]+)(\/cancel)?$/.exec(path);
  if (named && method === "GET" && !named[2]) return { api: "retrieve", id: named[1]! } as const;
  if (named && method === "POST" && named[2]) return { api: "cancel", id: named[1]! } as const;
  return null;
}

export async function startFakeOpenAi() {
  let queuedFailures: number[] = [];
  let delayMs = 0;
  /** Responses still to be created whose answer is a refusal. */
  let refusals = 0;
  const stats = { calls: 0, creates: 0, completions: 0, schemaNames: [] as string[] };
  const responses = new Map<string, StoredResponse>();
  const faults = chaos();
  const srv = await listen(async (req, res, url) => {
    if (url.pathname === "/__admin/chaos" && req.method === "POST") {
      faults.set((await readJson(req)) as ChaosSettings);
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__admin/script" && req.method === "POST") {
      const script = (await readJson(req)) as { fail?: number[]; delayMs?: number; refuse?: number };
      queuedFailures = script.fail ?? [];
      delayMs = script.delayMs ?? 0;
      refusals = script.refuse ?? 0;
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__admin/stats") {
      const list = [...responses.values()].map((r) => ({
        id: r.id,
        status: settle(r).status,
        input: userText(r.body.input),
        retrieves: r.retrieves,
      }));
      return sendJson(res, 200, { ...stats, faults: faults.counts, responses: list });
    }
    if (url.pathname === "/__admin/reset") {
      queuedFailures = [];
      delayMs = 0;
      refusals = 0;
      faults.set(null);
      responses.clear();
      Object.assign(stats, { calls: 0, creates: 0, completions: 0, schemaNames: [] });
      return sendJson(res, 200, { ok: true });
    }
    const route = routeOf(req.method, url.pathname);
    if (!route) return sendJson(res, 404, error("Not found"));
    stats.calls++;
    if (req.headers.authorization !== `Bearer ${FAKE_OPENAI_KEY}`) {
      return sendJson(
        res,
        401,
        error("Incorrect API key provided", "invalid_request_error", "invalid_api_key"),
      );
    }
    const fault = faults.next();
    if (fault === "no_answer") return; // the client's timeout has to notice
    const failure =
      queuedFailures.shift() ?? { rate_limited: 429, server_error: 503, none: undefined }[fault ?? "none"];
    if (failure === 429) {
      return sendJson(res, 429, error("Rate limit reached", "requests", "rate_limit_exceeded"), {
        "retry-after": "1",
      });
    }
    if (failure) return sendJson(res, failure, error("The server had an error", "server_error"));
    if (route.api === "retrieve" || route.api === "cancel") {
      const stored = responses.get(route.id);
      if (!stored) return sendJson(res, 404, error(`Response with id '${route.id}' not found.`));
      if (route.api === "retrieve") {
        stored.retrieves++;
        // Picked up by a worker once someone looks: queued only until the first retrieve.
        if (stored.status === "queued") stored.status = "in_progress";
        return sendJson(res, 200, responseObject(settle(stored)));
      }
      if (!stored.body.background)
        return sendJson(res, 400, error("Only responses created with background=true can be cancelled."));
      // Cancelling a response that has ended is a no-op: its final object comes back.
      if (settle(stored).status !== "completed") stored.status = "cancelled";
      return sendJson(res, 200, responseObject(stored));
    }
    if (route.api === "create") {
      const body = (await readJson(req)) as ResponsesBody;
      const format = body.text?.format;
      if (format?.type !== "json_schema" || !format.strict || format.schema?.type !== "object")
        return sendJson(res, 400, error("text.format json_schema (strict) expected"));
      if (body.background && body.store === false)
        return sendJson(res, 400, error("Background mode requires store=true."));
      stats.creates++;
      const stored: StoredResponse = {
        id: `resp_${stats.creates}_${Date.now().toString(36)}`,
        createdAt: Math.floor(Date.now() / 1000),
        body,
        status: "queued",
        readyAt: Date.now() + delayMs,
        retrieves: 0,
        ...(refusals > 0 ? { refusal: "I can't help with that request." } : {}),
      };
      if (refusals > 0) refusals--;
      responses.set(stored.id, stored);
      if (!body.background) {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        settle(stored);
      }
      return sendJson(res, 200, responseObject(stored));
    }
    const body = (await readJson(req)) as ChatBody;
    const format = body.response_format;
    if (
      format?.type !== "json_schema" ||
      !format.json_schema?.strict ||
      format.json_schema.schema.type !== "object"
    ) {
      return sendJson(res, 400, error("response_format json_schema (strict) expected"));
    }
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    stats.completions++;
    stats.schemaNames.push(format.json_schema.name);
    const user = body.messages.find((m) => m.role === "user")?.content ?? "";
    answer(res, body.model, answerFor(format.json_schema.name, user));
  });
  return srv;

  /** Moves a response on by the clock: complete at `readyAt`, when its answer is made. */
  function settle(r: StoredResponse): StoredResponse {
    if (r.status === "completed" || r.status === "cancelled") return r;
    if (Date.now() < r.readyAt) return r;
    const name = r.body.text?.format?.name ?? "";
    r.content = answerFor(name, userText(r.body.input));
    r.status = "completed";
    stats.completions++;
    stats.schemaNames.push(name);
    return r;
  }

  function responseObject(r: StoredResponse) {
    const done = r.status === "completed";
    return {
      id: r.id,
      object: "response",
      created_at: r.createdAt,
      status: r.status,
      background: r.body.background ?? false,
      error: null,
      incomplete_details: null,
      instructions: r.body.instructions ?? null,
      max_output_tokens: null,
      model: r.body.model,
      output: done
        ? [
            {
              type: "message",
              id: `msg_${r.id.slice(5)}`,
              status: "completed",
              role: "assistant",
              content: [
                r.refusal
                  ? { type: "refusal", refusal: r.refusal }
                  : { type: "output_text", text: JSON.stringify(r.content), annotations: [] },
              ],
            },
          ]
        : [],
      parallel_tool_calls: true,
      previous_response_id: null,
      store: r.body.store ?? true,
      temperature: r.body.temperature ?? 1,
      text: r.body.text,
      tool_choice: "auto",
      tools: [],
      top_p: 1,
      truncation: "disabled",
      usage: done
        ? {
            input_tokens: FAKE_USAGE.prompt_tokens,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: FAKE_USAGE.completion_tokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: FAKE_USAGE.prompt_tokens + FAKE_USAGE.completion_tokens,
          }
        : null,
      user: null,
      metadata: {},
    };
  }

  function answer(res: Parameters<typeof sendJson>[0], model: string, content: unknown) {
    sendJson(res, 200, {
      id: `chatcmpl-${stats.completions}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          finish_reason: "stop",
          logprobs: null,
          message: { role: "assistant", content: JSON.stringify(content), refusal: null },
        },
      ],
      usage: { ...FAKE_USAGE, total_tokens: FAKE_USAGE.prompt_tokens + FAKE_USAGE.completion_tokens },
    });
  }
}

/** The user's text of a Responses API input (a string, or the user message of a list). */
function userText(input: ResponsesBody["input"]): string {
  return typeof input === "string" ? input : (input.find((m) => m.role === "user")?.content ?? "");
}

/** The answer to a request with structured output `schemaName`, from the user's text. */
function answerFor(schemaName: string, user: string): unknown {
  if (schemaName === "scene_refinement") return refinementFor(user);
  const duration = Number(/Target duration: (\d+)/.exec(user)?.[1] ?? 15);
  const existing = /Specification:\n([\s\S]+)$/.exec(user)?.[1];
  if (!existing) return specFor(user, duration);
  // A refine call gets the same spec back with sharper, consistent visual prompts.
  const s = JSON.parse(existing) as ReturnType<typeof specFor>;
  return {
    ...s,
    scenes: s.scenes.map((sc) => ({
      ...sc,
      visual_prompt: `${sc.visual_prompt}, same actor, same set, warm key light`,
    })),
  };
}

/** A scene refinement: the instruction becomes the overlay and joins the shot, as a model might. */
function refinementFor(user: string) {
  const scene = JSON.parse(/Scene: (\{.*\})/.exec(user)?.[1] ?? "{}") as { visual_prompt?: string };
  const instruction = /Instruction: (.+)$/m.exec(user)?.[1]?.trim() ?? "";
  return {
    overlay_text: instruction.slice(0, 60) || "Refined",
    visual_prompt: `${scene.visual_prompt ?? "the product"}, ${instruction}`.slice(0, 600),
    duration_s: null,
  };
}
