import { createMemo, createSignal } from "solid-js";
import { cleanPrompt, PROMPT_MAX, promptLength, promptProblem } from "../settings.ts";

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
  /** Element id (several prompt boxes on one page need their own); "prompt" by default. */
  id?: string;
  /** The visible label; "Describe your ad" by default. */
  label?: string;
}) {
  const id = () => props.id ?? "prompt";
  const [touched, setTouched] = createSignal(false);
  const length = createMemo(() => promptLength(cleanPrompt(props.value)));
  const problem = createMemo(() => promptProblem(props.value));
  const message = () => props.serverError ?? ((touched() || props.showProblems) && problem()) ?? null;
  const over = () => length() > PROMPT_MAX;

  return (
    <div class="field">
      <label for={id()} class="field-label">
        {props.label ?? "Describe your ad"}
      </label>
      <textarea
        id={id()}
        name={id()}
        ref={props.ref}
        class="prompt-input"
        rows={4}
        placeholder="vegan protein powder, energetic, for TikTok"
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        onBlur={() => setTouched(props.value.length > 0)}
        aria-invalid={message() ? "true" : undefined}
        aria-describedby={`${id()}-help ${id()}-counter`}
      />
      <div class="field-foot">
        <p
          id={`${id()}-help`}
          class="field-help"
          classList={{ "field-error": !!message() }}
          aria-live="polite"
        >
          {message() || "Product, mood and platform work best. 10 to 500 characters."}
        </p>
        <span id={`${id()}-counter`} class="counter tabular" classList={{ "counter-over": over() }}>
          <span class="sr-only">Characters used: </span>
          {length()} / {PROMPT_MAX}
        </span>
      </div>
    </div>
  );
}
