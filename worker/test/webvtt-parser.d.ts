/** The parts of `webvtt-parser` (plain JS, no types) the caption tests use. */
declare module "webvtt-parser" {
  export interface ParsedCue {
    startTime: number;
    endTime: number;
    text: string;
  }
  export class WebVTTParser {
    parse(
      input: string,
      mode?: "metadata" | "chapters",
    ): { cues: ParsedCue[]; errors: { message: string }[] };
  }
}
