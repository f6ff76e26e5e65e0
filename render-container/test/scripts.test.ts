/**
 * Scripts and layouts: every drawn code point is covered by the face chosen for it (no missing-glyph
 * boxes), emoji are dropped, right-to-left lines come out in RTL order through ffmpeg's drawtext, and
 * no overlay or ghost word leaves the frame at any animation extreme.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { endCardText } from "../src/compose/logo.ts";
import {
  layoutOverlay,
  type OverlayLayout,
  safeZone,
  slideOffset,
  wrapText,
} from "../src/compose/overlay-layout.ts";
import { textDraw } from "../src/compose/text-layer.ts";
import { OVERLAY_ANIMATIONS, OVERLAY_POSITIONS, type Overlay, SynthesizeJobSchema } from "../src/contract.ts";
import { QUIET_ARGS, runFfmpeg, runFfprobe } from "../src/ffmpeg.ts";
import { chooseFace, drawnLine, faceCovers, faceOf, isRtl, textAdvance } from "../src/fonts.ts";
import { moodSpeed } from "../src/synth/looks.ts";
import { typeLayout } from "../src/synth/plan-synth.ts";
import { tempDir } from "./helpers.ts";

const RLE = "\u202b";
const PDF = "\u202c";

const SCRIPTS = {
  latin: "Café Olé — 100% Montréal",
  japanese: "東京ラーメン 30分でお届け",
  arabic: "عطر فاخر جديد - 50%",
  mixed: "Oud Royal عطر فاخر",
  emoji: "Tokyo ramen 🍜🔥",
} as const;

const overlay = (text: string, extra: Partial<Overlay> = {}): Overlay => ({
  text,
  position: "center",
  colour: "#ffffff",
  font: "auto",
  animation: "none",
  ...extra,
});

/** Code points of a drawn text file, without the two bidi marks fribidi removes. */
const drawnCodePoints = (content: string) =>
  [...content].filter((ch) => ch !== RLE && ch !== PDF).map((ch) => ch.codePointAt(0)!);

let dir: string;
beforeAll(async () => {
  dir = await tempDir("rc-scripts");
});

/** Decodes the first frame of a file to 8-bit grey. */
async function grey(file: string, w: number, h: number): Promise<Buffer> {
  const out = join(dir, `g-${Math.random().toString(36).slice(2)}.raw`);
  await runFfmpeg([...QUIET_ARGS, "-i", file, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", out]);
  const buf = await readFile(out);
  expect(buf.length).toBe(w * h);
  return buf;
}

/** Draws one text file in one face on black (white text, left edge at x=20) and returns the frame. */
async function drawAlone(content: string, fontFile: string, w: number, h: number, size: number) {
  const txt = join(dir, `t-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(txt, content);
  const png = `${txt}.png`;
  await runFfmpeg([
    ...QUIET_ARGS,
    "-f",
    "lavfi",
    "-i",
    `color=c=black:s=${w}x${h}:d=0.04`,
    "-vf",
    `drawtext=fontfile=${fontFile}:textfile=${txt}:expansion=none:fontsize=${size}:fontcolor=white:x=20:y=${Math.round(size * 1.3)}-ascent`,
    "-frames:v",
    "1",
    png,
  ]);
  return grey(png, w, h);
}

/** Mean absolute difference of two grey frames over columns [x0, x1). */
function diffColumns(a: Buffer, b: Buffer, w: number, h: number, x0: number, x1: number): number {
  let sum = 0;
  for (let y = 0; y < h; y++) for (let x = x0; x < x1; x++) sum += Math.abs(a[y * w + x]! - b[y * w + x]!);
  return sum / ((x1 - x0) * h);
}

describe("scripts: coverage-checked faces", () => {
  for (const [name, text] of Object.entries(SCRIPTS)) {
    it(`draws ${name} with a face covering every drawn code point, and drawtext accepts it`, async () => {
      const W = 540;
      const H = 960;
      const l = layoutOverlay(overlay(text), W, H);
      const { draw, files } = textDraw(l, join(dir, `ov-${name}`));
      expect(files.length).toBe(l.lines.length);
      files.forEach((f, k) => {
        const face = l.lineFaces?.[k] ?? l.face;
        expect(draw[k]).toContain(`fontfile=${face.file}:`);
        for (const cp of drawnCodePoints(f.content))
          expect(faceCovers(face, cp), `U+${cp.toString(16)}`).toBe(true);
      });
      const drawn = files.map((f) => f.content).join(" ");
      // Nothing of the text is lost but the emoji.
      const expected = name === "emoji" ? "Tokyo ramen" : text;
      expect(drawnCodePoints(drawn).filter((cp) => cp !== 0x20)).toEqual(
        [...expected].filter((ch) => ch !== " ").map((ch) => ch.codePointAt(0)!),
      );
      if (name === "emoji") {
        expect(drawn).not.toMatch(/\p{Extended_Pictographic}/u);
        expect(chooseFace(text, "auto").dropped).toEqual(["🍜", "🔥"]);
      }
      if (name === "arabic")
        expect(files[0]!.content.startsWith(RLE) && files[0]!.content.endsWith(PDF)).toBe(true);
      if (name === "mixed") expect(files[0]!.content).not.toContain(RLE);
      const family = { latin: "sans", japanese: "cjk", arabic: "dejavu", mixed: "dejavu", emoji: "sans" }[
        name
      ];
      expect(l.face.family).toBe(family);
      for (const f of files) await writeFile(f.path, f.content);
      // A real clip: the layer exactly as compose builds it, over a black frame.
      const out = join(dir, `${name}.mp4`);
      const layer =
        `color=c=${l.boxColour}@${l.boxAlpha}:s=${l.width}x${l.height}:r=24:d=0.25,format=rgba,` +
        `${draw.join(",")},format=yuva420p[ov];[0:v][ov]overlay=x=${l.x}:y=${l.y}:format=yuv420,format=yuv420p[v]`;
      await runFfmpeg([
        ...QUIET_ARGS,
        ...["-f", "lavfi", "-i", `color=c=0x203040:s=${W}x${H}:r=24:d=0.25`],
        ...["-filter_complex", layer, "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast", out],
      ]);
      const probe = JSON.parse(
        await runFfprobe(["-v", "error", "-show_streams", "-show_format", "-of", "json", out]),
      ) as { streams: { codec_type: string; width: number; height: number; nb_frames: string }[] };
      expect(probe.streams[0]).toMatchObject({ codec_type: "video", width: W, height: H });
      expect(Number(probe.streams[0]!.nb_frames)).toBe(6);
    });
  }

  it("draws nothing, not boxes, for an overlay of emoji only", () => {
    const l = layoutOverlay(overlay("🍜🔥 ✨"), 540, 960);
    expect(l.lines.join("")).toBe("");
    expect(l.boxAlpha).toBe(0);
  });

  it("draws visible boxes for a face lacking the glyphs (so dropping and falling back matter)", async () => {
    // Arabic in Noto Sans (no Arabic glyphs: .notdef boxes) differs from Arabic in the chosen face.
    const w = 700;
    const h = 110;
    const chosen = await drawAlone(drawnLine(SCRIPTS.arabic), faceOf("dejavu").file, w, h, 60);
    const boxes = await drawAlone(drawnLine(SCRIPTS.arabic), faceOf("sans").file, w, h, 60);
    expect(faceCovers(faceOf("sans"), 0x0639)).toBe(false);
    expect(diffColumns(chosen, boxes, w, h, 0, w)).toBeGreaterThan(5);
  });
});

describe("scripts: right-to-left", () => {
  it("wraps a line whose first strong character is Arabic, and only that", () => {
    expect(isRtl(SCRIPTS.arabic)).toBe(true);
    expect(isRtl("- 50% عطر")).toBe(true);
    expect(isRtl(SCRIPTS.mixed)).toBe(false);
    expect(isRtl("שלום עולם")).toBe(true);
    expect(drawnLine(SCRIPTS.arabic)).toBe(`${RLE}${SCRIPTS.arabic}${PDF}`);
    expect(drawnLine("Hello - 50%")).toBe("Hello - 50%");
    // A wrapped block's lines share its direction: a line of neutrals in an Arabic block is RTL.
    const l = layoutOverlay(overlay("عطر فاخر جديد من الشرق بخصم خاص - 50%"), 540, 960);
    const { files } = textDraw(l, join(dir, "rtl-block"));
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect(f.content.startsWith(RLE) && f.content.endsWith(PDF)).toBe(true);
  });

  it("draws the dash and 50% at the left end, as a native reader expects (real drawtext)", async () => {
    const face = faceOf("dejavu");
    const size = 60;
    const w = 820;
    const h = 110;
    // The bidi algorithm's visual order of "عطر فاخر جديد - 50%" at RTL level is "%50 - جديد فاخر عطر":
    // the number and dash at the left. Drawn from x=20, its left part must be "%50 -" exactly.
    const rtl = await drawAlone(drawnLine(SCRIPTS.arabic), face.file, w, h, size);
    const forcedLtr = await drawAlone(SCRIPTS.arabic, face.file, w, h, size);
    const head = await drawAlone("%50 -", face.file, w, h, size);
    const x1 = 20 + Math.floor(textAdvance("%50 -", face, size));
    const good = diffColumns(rtl, head, w, h, 0, x1);
    const bad = diffColumns(forcedLtr, head, w, h, 0, x1);
    expect(good).toBeLessThan(2);
    expect(bad).toBeGreaterThan(10);
    // And no mark drawn as a box: the marked line's ink ends within its measured advance (two
    // .notdef boxes would add over one em).
    const ink = (f: Buffer) => {
      let max = 0;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (f[y * w + x]! > 60) max = Math.max(max, x);
      return max;
    };
    expect(ink(rtl) - 20).toBeLessThanOrEqual(textAdvance(SCRIPTS.arabic, face, size) + 2);
    expect(Math.abs(ink(rtl) - ink(forcedLtr))).toBeLessThan(size * 0.2);
  });

  it("keeps logical order across wrapped RTL lines (first words on the first line)", () => {
    const text = "عطر فاخر جديد من الشرق بخصم خاص اليوم فقط - 50%";
    const lines = wrapText(text, 60, 400, "dejavu");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(" ")).toBe(text);
    expect(lines[0]!.startsWith("عطر")).toBe(true);
    for (const l of lines) expect(isRtl(l) || !/\p{L}/u.test(l)).toBe(true);
  });
});

const ASPECTS = [
  [1080, 1920],
  [1080, 1080],
  [1920, 1080],
] as const;

const TEXTS = [
  "Bright ideas for busy mornings",
  "A fairly long headline that must wrap onto several lines to fit the frame at all",
  ...Object.values(SCRIPTS),
  "限时优惠今天下单立享八折优惠限时优惠今天下单立享八折优惠",
];

/** The block's box at the start and end of its entrance. */
function extremes(l: OverlayLayout, animation: string, W: number, H: number) {
  const slide = animation === "slide_up" ? slideOffset(l, W, H) : 0;
  return [l.y, l.y + slide].map((y) => ({ x0: l.x, x1: l.x + l.width, y0: y, y1: y + l.height }));
}

describe("layout: nothing cut at any frame", () => {
  it("keeps every overlay box inside the frame at every animation extreme, text inside its box", () => {
    for (const [W, H] of ASPECTS) {
      const zone = safeZone(W, H);
      for (const text of TEXTS)
        for (const position of OVERLAY_POSITIONS)
          for (const animation of OVERLAY_ANIMATIONS) {
            const l = layoutOverlay(overlay(text, { position, animation }), W, H);
            for (const b of extremes(l, animation, W, H)) {
              expect(b.x0).toBeGreaterThanOrEqual(zone.left);
              expect(b.x1).toBeLessThanOrEqual(zone.right);
              expect(b.y0).toBeGreaterThanOrEqual(zone.top);
              expect(b.y1).toBeLessThanOrEqual(H);
              // At rest the block is in the safe zone; a slide starts at most 1.5 % of the height below it.
              expect(b.y1).toBeLessThanOrEqual(zone.bottom + Math.round(H * 0.015));
            }
            expect(l.y + l.height).toBeLessThanOrEqual(zone.bottom);
            l.lines.forEach((line, k) => {
              expect(
                textAdvance(line, l.lineFaces?.[k] ?? l.face, l.fontSize) + 2 * l.pad,
              ).toBeLessThanOrEqual(l.width + 1);
            });
          }
    }
  });

  it("shrinks the end card's text so logo and text fit the frame together", () => {
    for (const [W, H] of ASPECTS) {
      const above = Math.round(Math.min(W, H) * 0.44);
      for (const size of [undefined, 120, 400]) {
        const l = endCardText(overlay(TEXTS[1]!, { size }), W, H, above);
        expect(above + l.height).toBeLessThanOrEqual(H * 0.94);
        expect(l.x).toBeGreaterThanOrEqual(0);
        expect(l.x + l.width).toBeLessThanOrEqual(W);
      }
    }
  });

  it("uses fewer, wider lines on 16:9 than on 9:16", () => {
    const text = TEXTS[1]!;
    const portrait = layoutOverlay(overlay(text), 1080, 1920);
    const landscape = layoutOverlay(overlay(text), 1920, 1080);
    expect(landscape.lines.length).toBeLessThanOrEqual(2);
    expect(portrait.lines.length).toBeLessThanOrEqual(3);
    expect(landscape.lines.length).toBeLessThan(portrait.lines.length);
    expect(landscape.width).toBeGreaterThan(portrait.width);
  });

  it("keeps the ghost word inside the frame at both drift extremes, and the brand tag readable", () => {
    const words = ["you'll", "meet", "everything", "extraordinary", "Montréal", "東京ラーメン", "عطر", "W"];
    for (const [W, H] of ASPECTS)
      for (const mood of ["calm", "upbeat", "energetic", "luxury"] as const)
        for (const duration_s of [2, 4, 8])
          for (const word of words) {
            const job = SynthesizeJobSchema.parse({
              version: 1,
              job_id: "g",
              width: W,
              height: H,
              duration_s,
              seed: 1,
              scene: { index: 0, type: "attention", text: `${word} now` },
              brand: { name: "Kettle & Co", colours: ["#e4572e"], mood },
              output: { video: { path: "/o/c.mp4" } },
            });
            const { ghost, brand } = typeLayout(job, moodSpeed(mood));
            for (const shift of [-ghost.amplitude, ghost.amplitude]) {
              const x0 = (W - ghost.width) / 2 + shift;
              expect(x0).toBeGreaterThanOrEqual(0);
              expect(x0 + ghost.width).toBeLessThanOrEqual(W);
            }
            expect(ghost.rate * (duration_s / 2)).toBeCloseTo(ghost.amplitude, 6);
            for (const ch of ghost.text) expect(faceCovers(ghost.face, ch.codePointAt(0)!)).toBe(true);
            expect(brand.width).toBeLessThanOrEqual(W * 0.88);
            if (H > W) expect(brand.size).toBeGreaterThanOrEqual(H * 0.032);
          }
  });
});
