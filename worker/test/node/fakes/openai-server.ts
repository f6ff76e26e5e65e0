/**
 * A local server that speaks OpenAI's chat completions protocol with structured outputs,
 * faithfully enough for the SDK: bearer auth, `response_format: json_schema` (strict) is
 * required, answers carry `usage`, errors use OpenAI's error body, 429 carries Retry-After.
 * Its answer is a valid AdSpecification built from the brief in the request.
 *
 * Control (for tests): POST /__admin/script {fail: [status, ...], delayMs} queues error statuses for
 * the next calls and delays answers; GET /__admin/stats counts calls; POST /__admin/reset;
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

export async function startFakeOpenAi() {
  let queuedFailures: number[] = [];
  let delayMs = 0;
  const stats = { calls: 0, completions: 0, schemaNames: [] as string[] };
  const faults = chaos();
  const srv = await listen(async (req, res, url) => {
    if (url.pathname === "/__admin/chaos" && req.method === "POST") {
      faults.set((await readJson(req)) as ChaosSettings);
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__admin/script" && req.method === "POST") {
      const script = (await readJson(req)) as { fail?: number[]; delayMs?: number };
      queuedFailures = script.fail ?? [];
      delayMs = script.delayMs ?? 0;
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__admin/stats") return sendJson(res, 200, { ...stats, faults: faults.counts });
    if (url.pathname === "/__admin/reset") {
      queuedFailures = [];
      delayMs = 0;
      faults.set(null);
      Object.assign(stats, { calls: 0, completions: 0, schemaNames: [] });
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname !== "/v1/chat/completions" || req.method !== "POST") {
      return sendJson(res, 404, { error: { message: "Not found", type: "invalid_request_error" } });
    }
    stats.calls++;
    if (req.headers.authorization !== `Bearer ${FAKE_OPENAI_KEY}`) {
      return sendJson(res, 401, {
        error: {
          message: "Incorrect API key provided",
          type: "invalid_request_error",
          code: "invalid_api_key",
        },
      });
    }
    const fault = faults.next();
    if (fault === "no_answer") return; // the client's timeout has to notice
    const failure =
      queuedFailures.shift() ?? { rate_limited: 429, server_error: 503, none: undefined }[fault ?? "none"];
    if (failure === 429) {
      return sendJson(
        res,
        429,
        { error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } },
        { "retry-after": "1" },
      );
    }
    if (failure)
      return sendJson(res, failure, { error: { message: "The server had an error", type: "server_error" } });
    const body = (await readJson(req)) as ChatBody;
    const format = body.response_format;
    if (
      format?.type !== "json_schema" ||
      !format.json_schema?.strict ||
      format.json_schema.schema.type !== "object"
    ) {
      return sendJson(res, 400, {
        error: { message: "response_format json_schema (strict) expected", type: "invalid_request_error" },
      });
    }
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    stats.completions++;
    stats.schemaNames.push(format.json_schema.name);
    const user = body.messages.find((m) => m.role === "user")?.content ?? "";
    if (format.json_schema.name === "scene_refinement") return answer(res, body.model, refinementFor(user));
    const duration = Number(/Target duration: (\d+)/.exec(user)?.[1] ?? 15);
    const existing = /Specification:\n([\s\S]+)$/.exec(user)?.[1];
    // A refine call gets the same spec back with sharper, consistent visual prompts.
    const spec = existing
      ? (() => {
          const s = JSON.parse(existing) as ReturnType<typeof specFor>;
          return {
            ...s,
            scenes: s.scenes.map((sc) => ({
              ...sc,
              visual_prompt: `${sc.visual_prompt}, same actor, same set, warm key light`,
            })),
          };
        })()
      : specFor(user, duration);
    answer(res, body.model, spec);
  });
  return srv;

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
