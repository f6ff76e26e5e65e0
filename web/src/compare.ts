/**
 * What the comparison page shows about each variation, pure: the fields as labelled rows (so the
 * ones that differ can be highlighted) and the sort orders.
 */
import type { GenerationView } from "./api.ts";
import {
  ASPECT_RATIOS,
  DURATIONS,
  type GenerationSettings,
  GRADES,
  MUSIC_MOODS,
  normalizeSettings,
} from "./settings.ts";

/** One row of a variation's metadata; `field` is the API's dotted name in `differing_fields`. */
export interface FieldRow {
  field: string;
  label: string;
  value: string;
}

const SETTING_ROWS: {
  key: keyof GenerationSettings;
  label: string;
  show: (s: GenerationSettings) => string;
}[] = [
  { key: "duration_s", label: "Duration", show: (s) => DURATIONS[s.duration_s] },
  {
    key: "aspect_ratio",
    label: "Aspect",
    show: (s) => `${s.aspect_ratio} · ${ASPECT_RATIOS[s.aspect_ratio]}`,
  },
  { key: "grade", label: "Grade", show: (s) => GRADES[s.grade] },
  { key: "music_mood", label: "Music", show: (s) => MUSIC_MOODS[s.music_mood] },
  { key: "seed", label: "Seed", show: (s) => (s.seed === null ? "Random" : String(s.seed)) },
  {
    key: "enhanced_planning",
    label: "Planning",
    show: (s) => (s.enhanced_planning ? "Enhanced" : "Standard"),
  },
];

/** The prompt and every setting of a variation, in display order. */
export function fieldRows(v: Pick<GenerationView, "prompt" | "settings">): FieldRow[] {
  const s = normalizeSettings(v.settings);
  return [
    { field: "prompt", label: "Prompt", value: v.prompt },
    ...SETTING_ROWS.map((r) => ({ field: `settings.${r.key}`, label: r.label, value: r.show(s) })),
  ];
}

/** "Prompt", "Grade and Music": the differing fields in words, for the page's summary. */
export function describeDifferences(fields: readonly string[]): string {
  const labels = fields.map(
    (f) => (f === "prompt" ? "Prompt" : SETTING_ROWS.find((r) => `settings.${r.key}` === f)?.label) ?? f,
  );
  if (labels.length <= 1) return labels[0] ?? "Nothing";
  return `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}`;
}

/** Sort orders of the grid. */
export const SORTS = {
  created: "Order created",
  cost: "Cost, lowest first",
  time: "Generation time, fastest first",
} as const;
export type SortKey = keyof typeof SORTS;

/**
 * The variations in a sort order; unfinished ones (no cost or time yet) go last, and ties keep
 * the order they were created in.
 */
export function sortVariations<T extends Pick<GenerationView, "cost" | "generation_time_s" | "status">>(
  variations: readonly T[],
  key: SortKey,
): T[] {
  if (key === "created") return [...variations];
  const value = (v: T): number | null =>
    key === "cost" ? (v.status === "completed" ? v.cost : null) : v.generation_time_s;
  // Array.prototype.sort is stable: equal keys keep the order they were created in.
  return [...variations].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return x - y;
  });
}
