/**
 * The OpenAI provider's pipeline calls as background responses (Responses API) against the local
 * server speaking that protocol: the response id is journalled once OpenAI accepted the request,
 * so a caller restarted mid-call polls the same response instead of paying for a second one; an
 * expired response is asked again; a cancel or a missed deadline cancels the response at OpenAI
 * and forgets it, as a refused answer is forgotten; OPENAI_BACKGROUND=0 keeps the chat completion.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { createOpenAiProvider, type OpenAiOptions } from "../src/providers/openai-llm.ts";
import type { LlmJournal, LlmJournalEntry, SpecRequest } from "../src/providers/types.ts";
import { openai } from "./fakes.ts";

const REQUEST: SpecRequest = {
  prompt: "Cold brew coffee for busy mornings",
  seed: 7,
  durationS: 15,
  aspectRatio: "9:16",
};

/** A journal in memory, as the coordinator's storage would hold it, with every write recorded. */
function memoryJournal() {
  const entries = new Map<string, LlmJournalEntry>();
  const writes: (LlmJournalEntry | undefined)[] = [];
  const journal: LlmJournal = {
    read: async (fingerprint) => entries.get(fingerprint),
    write: async (fingerprint, entry) => {
      writes.push(entry);
      if (entry) entries.set(fingerprint, entry);
      else entries.delete(fingerprint);
    },
  };
  return { journal, entries, writes };
}

const provider = (extra: Partial<OpenAiOptions> = {}) =>
  createOpenAiProvider({
    apiKey: env.OPENAI_API_KEY!,
    baseURL: env.OPENAI_BASE_URL,
    model: "gpt-4o-mini",
    ...extra,
  });

/** Waits until `check` holds, polling every 20 ms (at most 5 s). */
async function until(check: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 250 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
  expect(await check()).toBe(true);
}

describe("OpenAI background responses", () => {
  beforeEach(async () => {
    await openai.reset();
  });

  it("answers the specification through one background response, its id journalled before the wait", async () => {
    await openai.script({ delayMs: 300 });
    const { journal, writes } = memoryJournal();
    const { spec, usage } = await provider().generateSpec(REQUEST, { journal });
    expect(spec.product).toContain("Cold brew coffee");
    expect(usage).toEqual({ inputTokens: 1200, outputTokens: 800 });
    const stats = await openai.stats();
    expect(stats.creates).toBe(1);
    expect(stats.schemaNames).toEqual(["ad_specification"]);
    expect(stats.responses[0]!.retrieves).toBeGreaterThan(0);
    // The intent, then the id; the finished entry stays until the group ends (a crash after the
    // answer but before the stage saved reads it again rather than asking again).
    expect(writes.map((w) => Object.keys(w ?? {}).sort())).toEqual([
      ["intentAt"],
      ["intentAt", "responseId"],
    ]);
    expect(writes[1]!.responseId).toBe(stats.responses[0]!.id);
  });

  it("a caller restarted mid-call polls the journalled response: one create, the same answer", async () => {
    await openai.script({ delayMs: 1500 });
    const { journal, entries } = memoryJournal();
    const first = provider().generateSpec(REQUEST, { journal });
    await until(() => [...entries.values()].some((e) => e.responseId));
    // A new provider over the same journal: what the coordinator is after an eviction.
    const second = await provider().generateSpec(REQUEST, { journal });
    expect(second.spec).toEqual((await first).spec);
    const stats = await openai.stats();
    expect(stats.creates).toBe(1);
    expect(stats.completions).toBe(1);
  });

  it("asks again when OpenAI no longer has the journalled response", async () => {
    const { journal, entries } = memoryJournal();
    await provider().generateSpec(REQUEST, { journal });
    await openai.reset(); // the server forgets every response, as an expired one is forgotten
    const [fingerprint] = [...entries.keys()];
    const { spec } = await provider().generateSpec(REQUEST, { journal });
    expect(spec.framework).toBe("PAS");
    expect((await openai.stats()).creates).toBe(1);
    expect(entries.get(fingerprint!)?.responseId).toBe((await openai.stats()).responses[0]!.id);
  });

  it("a cancel cancels the response at OpenAI and forgets it", async () => {
    await openai.script({ delayMs: 5000 });
    const { journal, entries } = memoryJournal();
    const controller = new AbortController();
    const call = provider().generateSpec(REQUEST, { journal, signal: controller.signal });
    await until(async () => (await openai.stats()).responses.some((r) => r.retrieves > 0));
    controller.abort(new Error("Cancelled by user"));
    await expect(call).rejects.toThrow("Cancelled by user");
    expect((await openai.stats()).responses.map((r) => r.status)).toEqual(["cancelled"]);
    expect(entries.size).toBe(0);
  });

  it("a response past its deadline is cancelled and the call fails with the reason", async () => {
    await openai.script({ delayMs: 5000 });
    const { journal, entries } = memoryJournal();
    await expect(provider({ backgroundDeadlineMs: 600 }).generateSpec(REQUEST, { journal })).rejects.toThrow(
      "OpenAI did not finish the answer within 1 s",
    );
    expect((await openai.stats()).responses.map((r) => r.status)).toEqual(["cancelled"]);
    expect(entries.size).toBe(0);
  });

  it("a refused answer is forgotten, so the stage's next try asks anew instead of reading it again", async () => {
    await openai.script({ refuse: 1 });
    const { journal, entries } = memoryJournal();
    await expect(provider().generateSpec(REQUEST, { journal })).rejects.toThrow(
      "The model refused: I can't help with that request.",
    );
    expect(entries.size).toBe(0);
    const { spec } = await provider().generateSpec(REQUEST, { journal });
    expect(spec.product).toContain("Cold brew coffee");
    expect((await openai.stats()).creates).toBe(2);
  });

  it("with background off, or without a journal, the specification is one chat completion", async () => {
    const { journal, writes } = memoryJournal();
    await provider({ background: false }).generateSpec(REQUEST, { journal });
    await provider().generateSpec(REQUEST);
    const stats = await openai.stats();
    expect(stats.creates).toBe(0);
    expect(stats.completions).toBe(2);
    expect(writes).toEqual([]);
  });
});
