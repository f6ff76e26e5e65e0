/** What differs between the variations of a comparison. Pure. */

/** Dotted paths (`prompt`, `settings.grade`, ...) whose values are not all equal. */
export function differingFields(
  variations: { prompt: string; settings: Record<string, unknown> }[],
): string[] {
  if (variations.length < 2) return [];
  const fields: string[] = [];
  const same = (values: unknown[]) => values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]));
  if (!same(variations.map((v) => v.prompt))) fields.push("prompt");
  const keys = [...new Set(variations.flatMap((v) => Object.keys(v.settings)))].sort();
  for (const key of keys)
    if (!same(variations.map((v) => v.settings[key] ?? null))) fields.push(`settings.${key}`);
  return fields;
}
