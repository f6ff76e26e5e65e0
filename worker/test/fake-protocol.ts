/**
 * Shared between the Node-side fakes (test/node) and the tests in workerd: the URLs global
 * setup provides, and the knobs of the fake Replicate server.
 */
declare module "vitest" {
  interface ProvidedContext {
    renderUrl: string;
    /** The render container's RENDER_SECRET (tests that call it directly send it as a bearer token). */
    renderSecret: string;
    openaiUrl: string;
    replicateUrl: string;
    /** Small media files made with ffmpeg for the upload tests, base64 (see global-setup.ts). */
    assetFixtures: AssetFixtures;
    /** The fault suite's control server (test/node/global-setup.ts), e.g. to kill the render container. */
    controlUrl: string;
  }
}

/** The upload tests' media, made by ffmpeg in global setup. */
export interface AssetFixtures {
  /** 64x48 PNG. */
  png: string;
  /** 64x48 baseline JPEG (SOF0). */
  jpeg: string;
  /** 1 s 440 Hz mono WAV (pcm_s16le). */
  wav: string;
  /** 1 s 440 Hz MP3. */
  mp3: string;
  /** 1 s 160x120 H.264 + AAC MP4, moov after mdat (ffmpeg's default). */
  mp4: string;
  /** Three 2 s 180x320 H.264 + AAC MP4s: red, lime and blue, each with its own tone. */
  colourClips: string[];
  /** A real 10-hour MP4: 11 frames at one frame per hour, a couple of kilobytes. */
  tenHourMp4: string;
}

/** How the fake Replicate server treats one model. */
export interface Behaviour {
  /** Responses to queue for the next create calls (e.g. [429, 500]). */
  createStatuses?: number[];
  /** How many of the next predictions end `failed`. */
  failPredictions?: number;
  /** How many of the next predictions succeed with an output that has expired. */
  expireOutputs?: number;
  /** Hold the create response this long (the prediction exists as soon as the request arrives). */
  createDelayMs?: number;
  /** Predictions whose input prompt contains this text always fail. */
  failPromptsContaining?: string;
  /** Time from create to success. */
  succeedAfterMs?: number;
  /** How many of the next polls (GET /v1/predictions/{id}) of this model's predictions never answer. */
  hangGets?: number;
}

/** What the fault suite asks of a fake server's chaos (test/node/fakes/chaos.ts). */
export interface ChaosSettings {
  /** Share of API calls that fail, 0..1. */
  rate: number;
  /** Seed of the draw. */
  seed: number;
}

/** What a fake server's chaos did: calls seen, and faults of each kind. */
export interface FaultCounts {
  calls: number;
  rate_limited: number;
  server_error: number;
  no_answer: number;
}
