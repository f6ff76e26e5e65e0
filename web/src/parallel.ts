/**
 * The dashboard's Parallel mode as data, pure: 2-5 variations that differ by prompt (one shared
 * settings) or by settings profile (one shared prompt), their validation, and the request body.
 */
import { MAX_VARIATIONS, MIN_VARIATIONS, PROFILE_NAME_MAX, profileName } from "@promptreel/worker/rules";
import type { ParallelInput } from "./api.ts";
import { cleanPrompt, type GenerationSettings, normalizeSettings, promptProblem } from "./settings.ts";

export { MAX_VARIATIONS, MIN_VARIATIONS, PROFILE_NAME_MAX, profileName };

/** What the variations differ by. */
export type VariationKind = "prompt" | "settings";

/** A named settings profile ("Profile A"). */
export interface Profile {
  name: string;
  settings: GenerationSettings;
}

/** Both lists are kept while the user switches kind, so switching back loses nothing. */
export interface ParallelDraft {
  kind: VariationKind;
  prompts: string[];
  profiles: Profile[];
}

/** Grades new profiles start with, so a fresh comparison already shows a difference. */
const STARTING_GRADES: GenerationSettings["grade"][] = ["brand", "cinematic", "vivid", "warm", "cool"];

function newProfile(i: number, base: GenerationSettings): Profile {
  return { name: profileName(i), settings: { ...base, grade: STARTING_GRADES[i] ?? base.grade } };
}

/** Three variations: the current prompt first, and profiles that start from the current settings. */
export function defaultParallel(prompt: string, settings: GenerationSettings): ParallelDraft {
  return {
    kind: "prompt",
    prompts: [prompt, "", ""],
    profiles: [0, 1, 2].map((i) => newProfile(i, settings)),
  };
}

/** Reads a stored draft, falling back to the defaults for anything unusable. */
export function normalizeParallel(raw: unknown, prompt: string, settings: GenerationSettings): ParallelDraft {
  const base = defaultParallel(prompt, settings);
  if (!raw || typeof raw !== "object") return base;
  const r = raw as Record<string, unknown>;
  const prompts = Array.isArray(r.prompts) ? r.prompts.filter((p): p is string => typeof p === "string") : [];
  const profiles = Array.isArray(r.profiles)
    ? r.profiles.flatMap((p, i): Profile[] =>
        p && typeof p === "object"
          ? [
              {
                name: typeof p.name === "string" ? p.name : profileName(i),
                settings: normalizeSettings(p.settings),
              },
            ]
          : [],
      )
    : [];
  const inRange = (n: number) => n >= MIN_VARIATIONS && n <= MAX_VARIATIONS;
  return {
    kind: r.kind === "settings" ? "settings" : "prompt",
    prompts: inRange(prompts.length) ? prompts : base.prompts,
    profiles: inRange(profiles.length) ? profiles : base.profiles,
  };
}

/** How many variations the draft makes. */
export function variationCount(d: ParallelDraft): number {
  return d.kind === "prompt" ? d.prompts.length : d.profiles.length;
}

/** The draft with `n` variations of its kind: extra ones are dropped, new ones start blank. */
export function resize(d: ParallelDraft, n: number, settings: GenerationSettings): ParallelDraft {
  const count = Math.max(MIN_VARIATIONS, Math.min(MAX_VARIATIONS, n));
  if (d.kind === "prompt") {
    const prompts = d.prompts.slice(0, count);
    while (prompts.length < count) prompts.push("");
    return { ...d, prompts };
  }
  const profiles = d.profiles.slice(0, count);
  while (profiles.length < count)
    profiles.push(newProfile(profiles.length, profiles[0]?.settings ?? settings));
  return { ...d, profiles };
}

/**
 * The one prompt the user typed follows them into Parallel mode: it fills an empty first
 * variation prompt. Returns the same draft when there is nothing to carry.
 */
export function carryPrompt(d: ParallelDraft, prompt: string): ParallelDraft {
  if (d.prompts[0]?.trim() || !prompt.trim()) return d;
  return { ...d, prompts: [prompt, ...d.prompts.slice(1)] };
}

/** Field problems before sending: `prompts.1`, `prompt`, `profiles.0.name`. Empty when it can go. */
export function parallelProblems(d: ParallelDraft, prompt: string): Record<string, string> {
  const problems: Record<string, string> = {};
  if (d.kind === "prompt") {
    d.prompts.forEach((p, i) => {
      const problem = promptProblem(p);
      if (problem) problems[`prompts.${i}`] = problem;
    });
  } else {
    const problem = promptProblem(prompt);
    if (problem) problems.prompt = problem;
    d.profiles.forEach((p, i) => {
      const name = p.name.trim();
      if (!name) problems[`profiles.${i}.name`] = "Give the profile a name.";
      else if (name.length > PROFILE_NAME_MAX)
        problems[`profiles.${i}.name`] = `At most ${PROFILE_NAME_MAX} characters.`;
    });
  }
  return problems;
}

/**
 * The `POST /api/comparisons` body. Variations run straight through (`workflow` "auto"):
 * storyboard review is a single ad's option, which the shared settings may carry.
 */
export function parallelRequest(
  d: ParallelDraft,
  prompt: string,
  settings: GenerationSettings,
): ParallelInput {
  const auto = (s: GenerationSettings): GenerationSettings => ({ ...s, workflow: "auto" });
  return d.kind === "prompt"
    ? { mode: "prompt", prompts: d.prompts.map(cleanPrompt), settings: auto(settings) }
    : {
        mode: "settings",
        prompt: cleanPrompt(prompt),
        profiles: d.profiles.map((p) => ({ name: p.name.trim(), settings: auto(p.settings) })),
      };
}

/** The settings each variation runs with (for the total estimate). */
export function variationSettings(d: ParallelDraft, settings: GenerationSettings): GenerationSettings[] {
  return d.kind === "prompt" ? d.prompts.map(() => settings) : d.profiles.map((p) => p.settings);
}
