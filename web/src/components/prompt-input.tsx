import { createMemo, createSignal } from "solid-js";
import { cleanPrompt, PROMPT_MAX, promptProblem } from "../settings.ts";

/**
 * The prompt box: a live character counter and a clear message for prompts the server would
 * refuse. The message waits until the user has typed and left the box (or tried to submit),
 * so nobody is scolded for an empty field they have not reached yet.
 */
export function PromptInput(props: {
  value: string;
  onInput: (value: string) => void;
  /** Show the validation message now (after a submit attempt). */
  showProblems?: boolean;
  /** The server's message for this field, after a 400. */
  serverError?: string | undefined;
  ref?: (el: HTMLTextAreaElement) => void;
}) {
  const [touched, setTouched] = createSignal(false);
  const length = createMemo(() => cleanPrompt(props.value).length);
  const problem = createMemo(() => promptProblem(props.value));
  const message = () => props.serverError ?? ((touched() || props.showProblems) && problem()) ?? null;
  const over = () => length() > PROMPT_MAX;

  return (
    <div class="field">
      <label for="prompt" class="field-label">
        Describe your ad
      </label>
      <textarea
        id="prompt"
        name="prompt"
        ref={props.ref}
        class="prompt-input"
        rows={4}
        placeholder="vegan protein powder, energetic, for TikTok"
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        onBlur={() => setTouched(props.value.length > 0)}
        aria-invalid={message() ? "true" : undefined}
        aria-describedby="prompt-help prompt-counter"
      />
      <div class="field-foot">
        <p id="prompt-help" class="field-help" classList={{ "field-error": !!message() }} aria-live="polite">
          {message() || "Product, mood and platform work best. 10 to 500 characters."}
        </p>
        <span id="prompt-counter" class="counter tabular" classList={{ "counter-over": over() }}>
          <span class="sr-only">Characters used: </span>
          {length()} / {PROMPT_MAX}
        </span>
      </div>
    </div>
  );
}
