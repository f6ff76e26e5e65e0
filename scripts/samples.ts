/**
 * `npm run samples [-- --url URL]`: makes the sample ads of docs/samples/ with the running app
 * (`npm start`, offline defaults) and writes, for each, a contact sheet (one frame per second of
 * the finished ad, small PNG) and docs/samples/README.md with the prompt, the brand, the overlays
 * and the QC verdict beside each sheet, so a reader can judge the copy and layout by eye.
 * The prompts are ten of the planner's table test (worker/test/offline-copy.test.ts).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ApiClient, type Status } from "./lib/client.ts";

const PROMPTS = [
  "Café Olé: artisanal coffee, roasted in Montréal; 3 blends & a 100% guarantee",
  "50% OFF: Today's \"Mega\" deal on running shoes \\o/ -- don't miss it!",
  "Luxury watch ad for Instagram",
  "Cold brew coffee in a can for busy students",
  "Ad for 東京ラーメン, authentic Tokyo ramen delivered in 30 minutes 🍜🔥",
  "عطر العود الملكي: عطر فاخر جديد بخصم 20%",
  "Insurance that actually pays out. Problem: claims take months. Solution: ClaimFast pays in 24h.",
  "Before: messy garage. After: SnapShelf modular storage, installed in one afternoon",
  "B2B SaaS CRM for dentists — book more patients with DentaFlow, 14-day free trial",
  "Zapatillas de running Veloz, 30% de descuento solo esta semana",
];

const { values } = parseArgs({
  options: {
    url: {
      type: "string",
      default: process.env.PROMPTREEL_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`,
    },
    out: { type: "string", default: "docs/samples" },
  },
});
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const client = new ApiClient(values.url);
// A fresh account: the samples never count against a person's hourly limit.
await client.signIn(join(mkdtempSync(join(tmpdir(), "promptreel-samples-")), "account.json"));

async function finished(id: string): Promise<Status> {
  for (;;) {
    const s = await client.status(id);
    if (s.status === "completed" || s.status === "failed" || s.status === "cancelled") return s;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const rows: string[] = [];
for (const [i, prompt] of PROMPTS.entries()) {
  const { generation_id } = await client.generate(prompt);
  const s = await finished(generation_id);
  if (s.status !== "completed") throw new Error(`sample ${i + 1} failed: ${s.error}`);
  const work = mkdtempSync(join(tmpdir(), "promptreel-sample-"));
  const video = join(work, "ad.mp4");
  writeFileSync(video, Buffer.from(await (await fetch(s.video_url!)).arrayBuffer()));
  const sheet = `sample-${String(i + 1).padStart(2, "0")}.png`;
  // One frame per second, 120 px wide, eight to a row: a 15 s ad is a 960x426 sheet.
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-i",
    video,
    "-vf",
    // A 128-colour palette keeps a sheet near 130 KB (full RGB is ~450 KB) and the text readable.
    "fps=1,scale=120:-2:flags=lanczos,tile=8x2:padding=4:color=white," +
      "split[a][b];[a]palettegen=max_colors=128[p];[b][p]paletteuse=dither=sierra2_4a",
    "-frames:v",
    "1",
    join(out, sheet),
  ]);
  const warnings = s.qc?.checks.filter((c) => c.status !== "pass") ?? [];
  rows.push(
    [
      `## ${i + 1}. ${prompt.replace(/([\\`*_<>])/g, "\\$1")}`,
      "",
      `![contact sheet of sample ${i + 1}](${sheet})`,
      "",
      `- Brand: **${s.spec?.brand}** · product: ${s.spec?.product} · framework ${s.spec?.framework} · CTA: ${s.spec?.call_to_action}`,
      `- Overlays: ${s.scenes.map((sc) => `“${sc.overlay_text}”`).join(" → ")}`,
      `- QC: ${s.qc?.status ?? "none"}${warnings.map((c) => `; ${c.check} ${c.status}: ${c.detail}`).join("")}`,
      "",
    ].join("\n"),
  );
  console.log(`${i + 1}/${PROMPTS.length} ${sheet}  ${s.spec?.brand} · QC ${s.qc?.status}`);
}
writeFileSync(
  join(out, "README.md"),
  [
    "# Sample ads (offline defaults)",
    "",
    "Made with `npm run samples` against `npm start` (template planner, motion renderer). Each sheet is one",
    "frame per second of the finished 15 s 1080x1920 ad. Regenerate after changing the copy bank or the layout.",
    "",
    ...rows,
  ].join("\n"),
);
