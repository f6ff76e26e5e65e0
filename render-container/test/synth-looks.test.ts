import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUIET_ARGS, runFfmpeg } from "../src/ffmpeg.ts";
import { lookChains, n, particleSprite } from "../src/synth/looks.ts";
import { derivePalette } from "../src/synth/palette.ts";
import { tempDir } from "./helpers.ts";

const palette = derivePalette(["#c8a04a", "#1d2a44"]);
/** A sprite's held tail (`format=yuva420p,loop`), cut off to read the one frame it draws. */
const HELD_TAIL = /,format=yuva420p,loop=loop=-1:size=1\[p\]$/;

let dir: string;
beforeAll(async () => {
  dir = await tempDir("looks");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** MD5 of every pixel of the first `frames` frames a graph ending in `[out]` draws (ffmpeg's `md5` muxer). */
async function pixelsMd5(graph: string, name: string, frames = 1): Promise<string> {
  const file = join(dir, `${name}.md5`);
  const args = ["-filter_complex", graph, "-map", "[out]", "-frames:v", String(frames), "-f", "md5", file];
  await runFfmpeg([...QUIET_ARGS, ...args]);
  return (await readFile(file, "utf8")).trim();
}

/** The bokeh field as first written: every term spelled out where it is used (the reference). */
function writtenOut(w: number, h: number, cell: number, seed: number): string {
  const frac = (e: string) => `(${e}-floor(${e}))`;
  const id = `(floor(X/${cell})*7.13+floor(Y/${cell})*157.1+${seed % 997})`;
  const hx = frac(`sin(${id})*43758.5`);
  const hy = frac(`sin(${id}+1.7)*24634.6`);
  const hs = frac(`sin(${id}+3.1)*13758.9`);
  const dx = `(X-(floor(X/${cell})+0.2+0.6*${hx})*${cell})`;
  const dy = `(Y-(floor(Y/${cell})+0.2+0.6*${hy})*${cell})`;
  const r = `(1.5+${hs}*${n(cell / 7)})`;
  return (
    `nullsrc=s=${w}x${h}:r=24:d=0.042,format=rgba,` +
    `geq=r=240:g=228:b=204:a='255*gt(${hs},0.5)*(0.35+0.65*${hs})*exp(-(${dx}*${dx}+${dy}*${dy})/(${r}*${r}))'[out]`
  );
}

describe("the float look's bokeh field", () => {
  it("draws exactly the pixels of the written-out formula, with its terms computed once", async () => {
    for (const [cell, seed] of [
      [30, 284],
      [68, 301],
    ] as const) {
      const sprite = particleSprite(270, 480, cell, seed, [240, 228, 204], "p", 24).replace(
        HELD_TAIL,
        "[out]",
      );
      expect(sprite).toContain("st(0,");
      const [mine, reference] = await Promise.all([
        pixelsMd5(sprite, `mine-${cell}`),
        pixelsMd5(writtenOut(270, 480, cell, seed), `ref-${cell}`),
      ]);
      expect(mine).toMatch(/^MD5=[0-9a-f]{32}$/);
      expect(mine).toBe(reference);
    }
  });
});

describe("the float look's bokeh field at step 2", () => {
  it("is the full field within 45 dB PSNR, scaled up from a quarter of the pixels", async () => {
    const full = particleSprite(270, 480, 30, 284, [240, 228, 204], "p", 24).replace(HELD_TAIL, "[a]");
    const half = particleSprite(270, 480, 30, 284, [240, 228, 204], "p", 24, 2).replace(HELD_TAIL, "[b]");
    expect(half).toContain("nullsrc=s=135x240:");
    const graph = `${full};${half};[a][b]psnr,format=rgba[out]`;
    const out = ["-map", "[out]", "-frames:v", "1", "-f", "null", "-"];
    const log = await runFfmpeg(["-hide_banner", "-nostdin", "-filter_complex", graph, ...out]);
    const psnr = Number(log.stderr.match(/PSNR r:\S+ g:\S+ b:\S+ a:(\S+)/)?.[1]);
    expect(psnr).toBeGreaterThan(45);
    expect(psnr).toBeLessThan(Number.POSITIVE_INFINITY);
  });
});

describe("sprites drawn once", () => {
  it("are converted once to the overlay's format: every look's frames as with the conversion per frame", async () => {
    for (const look of ["hero", "float", "panels", "burst"] as const) {
      const chains = lookChains(look, {
        w: 180,
        h: 320,
        fps: 24,
        d: 0.5,
        seed: 3,
        speed: 1.2,
        palette,
        from: 0,
      });
      const graph = `${chains.join(";")};[bgout]format=yuv420p[out]`;
      expect(graph).toContain(",format=yuva420p,loop=");
      const perFrame = graph.replaceAll(",format=yuva420p,loop=", ",loop=");
      const [once, every] = await Promise.all([
        pixelsMd5(graph, `${look}-once`, 12),
        pixelsMd5(perFrame, `${look}-every`, 12),
      ]);
      expect(once, look).toBe(every);
    }
  });
});

describe("the burst look's rays", () => {
  it("rotate into a window the frame's shape inside their sprite (they fade out inside its circle)", () => {
    for (const [w, h] of [
      [540, 960],
      [960, 540],
      [540, 540],
      [214, 380],
    ] as const) {
      const chains = lookChains("burst", { w, h, fps: 24, d: 3, seed: 7, speed: 1, palette, from: 0 });
      const sprite = chains.find((c) => c.endsWith("[rays0]"))!;
      const [, side] = sprite.match(/nullsrc=s=(\d+)x\1:/)!;
      const rays = chains.find((c) => c.startsWith("[rays0]"))!;
      const rotated = new RegExp(`:ow=(\\d+):oh=(\\d+):c=none,scale=${w}:${h}\\[rays\\]$`);
      expect(rays).toMatch(rotated);
      const [, ow, oh] = rays.match(rotated)!;
      expect(Math.abs(Number(ow) * 2 - w)).toBeLessThanOrEqual(2);
      expect(Math.abs(Number(oh) * 2 - h)).toBeLessThanOrEqual(2);
      expect(Number(side)).toBeGreaterThanOrEqual(Math.max(Number(ow), Number(oh)));
      expect(sprite).toMatch(/a='70\*gt\(.*\)\*max\(0,1-hypot\(X-(\d+),Y-\1\)\/\1\)'/);
    }
  });
});
