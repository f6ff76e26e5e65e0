import { type JSX, Show } from "solid-js";
import { messageOf } from "../api.ts";

/** A clear failure message with an optional way forward (retry, or any action passed in). */
export function ErrorPanel(props: {
  title: string;
  error?: unknown;
  message?: string;
  onRetry?: () => void;
  retryLabel?: string;
  children?: JSX.Element;
}) {
  return (
    <div class="error-panel" role="alert">
      <h2 class="error-title">{props.title}</h2>
      <p class="error-message">{props.message ?? messageOf(props.error)}</p>
      <div class="row">
        <Show when={props.onRetry}>
          {(retry) => (
            <button type="button" class="btn btn-primary" onClick={() => retry()()}>
              {props.retryLabel ?? "Try again"}
            </button>
          )}
        </Show>
        {props.children}
      </div>
    </div>
  );
}
