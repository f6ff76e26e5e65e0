/**
 * Shared between the Node-side fakes (test/node) and the tests in workerd: the URLs global
 * setup provides, and the knobs of the fake Replicate server.
 */
declare module "vitest" {
  interface ProvidedContext {
    renderUrl: string;
    openaiUrl: string;
    replicateUrl: string;
  }
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
}
