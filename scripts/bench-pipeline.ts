/**
 * `npm run bench:pipeline`: the offline pipeline measured end to end on this machine, as a user
 * meets it. Starts the app as `npm start` does (own ports, fresh data dir) unless --url is given,
 * then, after one warm-up run (music library, caches):
 *  1. prompt-to-MP4 wall time of a 15 s ad, `--runs` times (median reported), split by stage
 *     from the coordinator's own "stage done" log lines. Every wait for a generation here follows
 *     it as the web app does, on the group's live socket, plus a status read every 2 s as a
 *     safety net (waitForAll). During these runs every `generation` event's delay after the change
 *     it reports (`changed_at`, stamped by the coordinator when it stored the change) is recorded;
 *  2. GET /api/status latency p50/p99 with `--pollers` clients each polling every `--poll-ms`
 *     (500 ms: four times the web app's fallback rate): idle (a finished generation, for
 *     `--seconds`), and under render (a generation from its start until it completes, so clips
 *     and the compose run on the same two cores). Then the same pollers back to back (no pause):
 *     the requests per second the stack answers, next to a 404 route through the same stack
 *     (`wrangler dev`'s proxy and workerd), the floor any route pays here;
 *  3. five settings variations of one prompt (five grades) started together: wall time until all
 *     five are finished, against the single ad's median;
 *  4. peak RSS of every process of the app (sampled from /proc every 200 ms; only when this
 *     script started the app): the largest single process, and the whole tree at its peak.
 * Prints a table, and as its last line one JSON object with the figures.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { isTerminalStatus } from "../worker/src/db/schema.ts";
import { ApiClient, type Status } from "./lib/client.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    runs: { type: "string", default: "3" },
    pollers: { type: "string", default: "50" },
    /** Each poller's interval; the web app polls every 2000 ms when its socket is down. */
    "poll-ms": { type: "string", default: "500" },
    seconds: { type: "string", default: "10" },
  },
});
const repo = resolve(import.meta.dirname, "..");
const dataDir = mkdtempSync(join(tmpdir(), "promptreel-bench-"));
const port = 8891;
const PROMPT = "Luxury watch ad for Instagram";
let app = null as ChildProcess | null;

async function startApp(): Promise<string> {
  if (values.url) return values.url;
  app = spawn("bash", ["scripts/start.sh"], {
    cwd: repo,
    env: { ...process.env, PORT: String(port), RENDER_PORT: String(port + 1), PROMPTREEL_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((res, rej) => {
    app!.stdout!.on("data", (chunk: Buffer) =>
      chunk.toString().includes("ready: open") ? res() : undefined,
    );
    app!.on("exit", (code) => rej(new Error(`start.sh exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

// ---- peak RSS of the app's process tree --------------------------------------------------

/** Every live process's parent and resident set (KiB), read from /proc. */
function processTable(): Map<number, { ppid: number; rssKib: number; name: string }> {
  const table = new Map<number, { ppid: number; rssKib: number; name: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const field = (name: string) => new RegExp(`^${name}:\\s+(\\S+)`, "m").exec(status)?.[1];
      table.set(Number(entry), {
        ppid: Number(field("PPid") ?? 0),
        rssKib: Number(field("VmRSS") ?? 0),
        name: field("Name") ?? "?",
      });
    } catch {
      // The process ended while we read it.
    }
  }
  return table;
}

const rss = { maxProcessKib: 0, maxProcessName: "", maxTreeKib: 0 };
function sampleRss(rootPid: number): void {
  const table = processTable();
  const inTree = new Set([rootPid]);
  // Parents come before children often enough; repeat until the set stops growing.
  for (let grown = true; grown; ) {
    grown = false;
    for (const [pid, p] of table)
      if (!inTree.has(pid) && inTree.has(p.ppid)) {
        inTree.add(pid);
        grown = true;
      }
  }
  let tree = 0;
  for (const pid of inTree) {
    const p = table.get(pid);
    if (!p) continue;
    tree += p.rssKib;
    if (p.rssKib > rss.maxProcessKib) Object.assign(rss, { maxProcessKib: p.rssKib, maxProcessName: p.name });
  }
  rss.maxTreeKib = Math.max(rss.maxTreeKib, tree);
}

// ---- the measurements ---------------------------------------------------------------------

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const median = (xs: number[]) => percentile(xs, 50);
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

/** The safety net's status reads: the web app's polling rate when its socket is down (web/src/live/transport.ts). */
const FALLBACK_POLL_MS = 2000;

/**
 * Resolves once every generation in `ids` (of group `groupId`) has completed, learnt as the web
 * app learns it: from the group's live socket (its snapshot, then each `generation` event carries
 * the whole view), plus a status read every 2 s as a safety net. Each event's delay after the
 * change it reports (`changed_at`) goes into `delaysMs` when given. (A poll every 100 ms per
 * generation, as this bench did before, was load of its own: 50 requests a second while five
 * variations render, answered by the same two cores.)
 */
async function waitForAll(client: ApiClient, groupId: string, ids: string[], delaysMs?: number[]) {
  const left = new Set(ids);
  let settle: (error?: Error) => void = () => undefined;
  const done = new Promise<void>((res, rej) => {
    settle = (error) => (error ? rej(error) : res());
  });
  const seen = (view: Status) => {
    if (!left.has(view.generation_id) || !isTerminalStatus(view.status)) return;
    if (view.status !== "completed")
      return settle(new Error(`generation ${view.generation_id} ${view.status}: ${view.error}`));
    left.delete(view.generation_id);
    if (left.size === 0) settle();
  };
  const ws = await followLive(client, groupId, (event, received) => {
    if (event.type === "snapshot") for (const view of event.generations ?? []) seen(view);
    if (event.type !== "generation" || !event.generation) return;
    if (delaysMs && typeof event.changed_at === "number") delaysMs.push(received - event.changed_at);
    seen(event.generation);
  });
  const fallback = setInterval(() => {
    for (const id of left) client.status(id).then(seen, () => undefined);
  }, FALLBACK_POLL_MS);
  try {
    await done;
  } finally {
    clearInterval(fallback);
    ws.close();
  }
}

interface LiveEvent {
  type: string;
  changed_at?: number;
  generation?: Status;
  generations?: Status[];
}

/** Opens a group's live socket; `onEvent` gets each event with the time it arrived. */
async function followLive(
  client: ApiClient,
  groupId: string,
  onEvent: (event: LiveEvent, receivedAt: number) => void,
): Promise<WebSocket> {
  const ticket = await client.request<{ path: string }>(`/api/groups/${groupId}/ticket`, { method: "POST" });
  if (ticket.status !== 201 && ticket.status !== 200) throw new Error(`ticket answered ${ticket.status}`);
  const ws = new WebSocket(`${client.base.replace(/^http/, "ws")}${ticket.body.path}`);
  ws.addEventListener("message", (e) => onEvent(JSON.parse(String(e.data)) as LiveEvent, Date.now()));
  await new Promise((res, rej) => {
    ws.addEventListener("open", res, { once: true });
    ws.addEventListener("error", rej, { once: true });
  });
  return ws;
}

async function runOne(client: ApiClient, prompt: string, wsDelaysMs?: number[]) {
  const t0 = performance.now();
  const { generation_id, group_id } = await client.generate(prompt, { seed: 42 });
  await waitForAll(client, group_id, [generation_id], wsDelaysMs);
  return { id: generation_id, wallS: (performance.now() - t0) / 1000 };
}

/**
 * `pollers` clients each asking for `path` every `everyMs` (0: back to back, a capacity test)
 * until `until()` says stop; their latencies. Paced pollers start spread over one interval.
 */
async function poll(client: ApiClient, path: string, everyMs: number, until: () => boolean) {
  const latencies: number[] = [];
  let errors = 0;
  const pollers = Number(values.pollers);
  await Promise.all(
    Array.from({ length: pollers }, async (_, i) => {
      if (everyMs) await new Promise((r) => setTimeout(r, (i * everyMs) / pollers));
      while (!until()) {
        const t = performance.now();
        const res = await client.request(path).catch(() => ({ status: 0 }));
        latencies.push(performance.now() - t);
        if (res.status >= 500 || res.status === 0) errors++;
        const wait = everyMs - (performance.now() - t);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }),
  );
  return {
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    n: latencies.length,
    errors,
  };
}

/** Polls for `--seconds` (paced as `everyMs` says); see {@link poll}. */
const pollFor = (client: ApiClient, path: string, everyMs: number) => {
  const until = performance.now() + Number(values.seconds) * 1000;
  return poll(client, path, everyMs, () => performance.now() >= until);
};

function stageSplit(generationId: string): Record<string, number> {
  const split: Record<string, number> = {};
  for (const line of readFileSync(join(dataDir, "worker.log"), "utf8").split("\n")) {
    const i = line.indexOf("{");
    if (i < 0 || !line.includes('"stage done"') || !line.includes(generationId)) continue;
    try {
      const entry = JSON.parse(line.slice(i)) as { stage: string; duration_ms: number };
      split[entry.stage] = (split[entry.stage] ?? 0) + entry.duration_ms / 1000;
    } catch {
      // not a log object
    }
  }
  return split;
}

let sampler: ReturnType<typeof setInterval> | undefined;
try {
  const base = await startApp();
  if (app?.pid) sampler = setInterval(() => sampleRss(app!.pid!), 200);
  const client = new ApiClient(base);
  await client.signIn(join(dataDir, "bench-account.json"));
  console.log("warm-up run (music library and caches)...");
  await runOne(client, "Warm-up: sparkling water with real fruit");

  const runs: { id: string; wallS: number }[] = [];
  const wsDelaysMs: number[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const run = await runOne(client, PROMPT, wsDelaysMs);
    console.log(`run ${i + 1}: ${run.wallS.toFixed(2)} s`);
    runs.push(run);
  }
  const singleS = median(runs.map((r) => r.wallS));
  const split = values.url ? {} : stageSplit(runs.find((r) => r.wallS === singleS)!.id);

  const every = Number(values["poll-ms"]);
  const statusPath = `/api/status/${runs[0]!.id}`;
  console.log(`status, idle: ${values.pollers} pollers, each every ${every} ms, for ${values.seconds} s...`);
  const idle = await pollFor(client, statusPath, every);
  console.log("status, idle, back to back (capacity), and a 404 through the same stack (its floor)...");
  const capacity = await pollFor(client, statusPath, 0);
  const floor = await pollFor(client, "/api/no-such-route", 0);

  console.log("status, under render: pollers on a generation from its start until it completes...");
  const busy = await client.generate(PROMPT, { seed: 7 });
  let busyDone = false;
  const [underRender] = await Promise.all([
    poll(client, `/api/status/${busy.generation_id}`, every, () => busyDone),
    waitForAll(client, busy.group_id, [busy.generation_id]).finally(() => (busyDone = true)),
  ]);

  console.log("five settings variations of one prompt...");
  const grades = ["warm", "cool", "cinematic", "vivid", "none"];
  const t0 = performance.now();
  const created = await client.request<{ group_id: string; generation_ids: string[] }>("/api/comparisons", {
    method: "POST",
    body: JSON.stringify({
      mode: "settings",
      prompt: PROMPT,
      profiles: grades.map((grade) => ({ name: grade, settings: { seed: 42, grade } })),
    }),
  });
  if (created.status !== 202) throw new Error(`comparison answered ${created.status}`);
  const ids = created.body.generation_ids;
  if (ids.length !== grades.length)
    throw new Error(`expected ${grades.length} variations, got ${ids.length}`);
  await waitForAll(client, created.body.group_id, ids);
  const variationsS = (performance.now() - t0) / 1000;

  const result = {
    prompt_to_mp4_p50_s: round(singleS, 2),
    prompt_to_mp4_runs_s: runs.map((r) => round(r.wallS, 2)),
    stage_s: Object.fromEntries(Object.entries(split).map(([k, v]) => [k, round(v, 2)])),
    status_idle_p50_ms: idle.p50,
    status_idle_p99_ms: idle.p99,
    status_render_p50_ms: underRender.p50,
    status_render_p99_ms: underRender.p99,
    pollers: Number(values.pollers),
    poll_every_ms: every,
    status_back_to_back_rps: round(capacity.n / Number(values.seconds), 0),
    status_back_to_back_p50_ms: capacity.p50,
    status_back_to_back_p99_ms: capacity.p99,
    not_found_back_to_back_rps: round(floor.n / Number(values.seconds), 0),
    not_found_back_to_back_p99_ms: floor.p99,
    poll_errors: idle.errors + capacity.errors + underRender.errors,
    ws_event_delay_p50_ms: round(percentile(wsDelaysMs, 50)),
    ws_event_delay_p99_ms: round(percentile(wsDelaysMs, 99)),
    ws_event_delay_max_ms: round(Math.max(...wsDelaysMs)),
    ws_events: wsDelaysMs.length,
    variations_5_s: round(variationsS, 2),
    variations_5_ratio: round(variationsS / singleS, 2),
    peak_rss_process_mib: app ? round(rss.maxProcessKib / 1024, 0) : null,
    peak_rss_process: app ? rss.maxProcessName : null,
    peak_rss_app_tree_mib: app ? round(rss.maxTreeKib / 1024, 0) : null,
  };
  const p = result.pollers;
  console.log("\n| measure | value |\n| --- | --- |");
  console.log(
    `| prompt to MP4 (15 s ad, offline), median of ${runs.length} | ${result.prompt_to_mp4_p50_s} s |`,
  );
  for (const [stage, s] of Object.entries(result.stage_s)) console.log(`|   stage ${stage} | ${s} s |`);
  console.log(
    `| status p50 / p99, idle (${p} pollers, each every ${every} ms) | ${idle.p50} / ${idle.p99} ms |`,
  );
  console.log(
    `| status p50 / p99, under render (same pollers) | ${underRender.p50} / ${underRender.p99} ms |`,
  );
  console.log(
    `| status back to back (${p} pollers): requests/s, p50 / p99 | ${result.status_back_to_back_rps}, ${capacity.p50} / ${capacity.p99} ms |`,
  );
  console.log(
    `| a 404 back to back, same stack: requests/s, p99 | ${result.not_found_back_to_back_rps}, ${floor.p99} ms |`,
  );
  console.log(
    `| live event after its change p50 / p99 / max (${result.ws_events} events) | ${result.ws_event_delay_p50_ms} / ${result.ws_event_delay_p99_ms} / ${result.ws_event_delay_max_ms} ms |`,
  );
  console.log(
    `| 5 settings variations | ${result.variations_5_s} s (${result.variations_5_ratio}x one ad) |`,
  );
  if (app)
    console.log(
      `| peak RSS: largest process / whole app | ${result.peak_rss_process_mib} MiB (${result.peak_rss_process}) / ${result.peak_rss_app_tree_mib} MiB |`,
    );
  console.log(JSON.stringify(result));
} finally {
  if (sampler) clearInterval(sampler);
  if (app) {
    app.kill("SIGTERM");
    await new Promise((r) => app!.on("exit", r));
  }
}
