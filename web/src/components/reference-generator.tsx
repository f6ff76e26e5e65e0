import { REFERENCES } from "@promptreel/worker/rules";
import { createSignal, createUniqueId, For, Index, Match, onCleanup, Show, Switch } from "solid-js";
import {
  ApiError,
  cancelReferences,
  fetchReferences,
  messageOf,
  type ReferenceBatchView,
  type ReferenceCandidate,
  startReferences,
} from "../api.ts";
import type { Asset } from "../assets.ts";
import { formatCost } from "../format.ts";
import { pollLoop, type Unsubscribe } from "../live/transport.ts";
import { cleanPrompt } from "../settings.ts";

/** How often a running batch is read again. */
export const REFERENCE_POLL_MS = 700;
/** The server's limits (`@promptreel/worker/rules`). */
export const REFERENCE_DESCRIPTION = REFERENCES.description;
const STYLE_MAX = REFERENCES.styleMax;
const COUNTS = [1, 2, 3, 4] as const;
const KINDS = [
  ["product", "Product"],
  ["character", "Character"],
] as const;

type Kind = (typeof KINDS)[number][0];

/** Why a description would be refused (the server's rule: cleaned, 3-300 characters), or null. */
export function descriptionProblem(text: string): string | null {
  const length = cleanPrompt(text).length;
  if (length === 0) return "Describe the product or character to draw.";
  if (length < REFERENCE_DESCRIPTION.min)
    return `Add ${REFERENCE_DESCRIPTION.min - length} more character${REFERENCE_DESCRIPTION.min - length === 1 ? "" : "s"} (at least ${REFERENCE_DESCRIPTION.min}).`;
  if (length > REFERENCE_DESCRIPTION.max)
    return `Shorten by ${length - REFERENCE_DESCRIPTION.max} character${length - REFERENCE_DESCRIPTION.max === 1 ? "" : "s"} (at most ${REFERENCE_DESCRIPTION.max}).`;
  return null;
}

/**
 * "Draw one from a description" in the product or character picker: a description, product or
 * character, how many (1-4) and an optional style go to `POST /api/references`; the batch is
 * read again every 700 ms until it is no longer running, each candidate drawn in its slot, and
 * "Use this" hands a drawn candidate (an asset of kind `reference`) to `onChoose`.
 * It sits inside the dashboard's form, so it has no form of its own: Enter in its inputs starts
 * the drawing instead of submitting the ad.
 */
export function ReferenceGenerator(props: { chosen: string | null; onChoose: (asset: Asset) => void }) {
  const id = createUniqueId();
  const [open, setOpen] = createSignal(false);
  const [description, setDescription] = createSignal("");
  const [kind, setKind] = createSignal<Kind>("product");
  const [count, setCount] = createSignal(4);
  const [style, setStyle] = createSignal("");
  const [attempted, setAttempted] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const [pollError, setPollError] = createSignal<unknown>(null);
  const [batch, setBatch] = createSignal<ReferenceBatchView | null>(null);
  let stopPolling: Unsubscribe | undefined;
  let textarea: HTMLTextAreaElement | undefined;
  onCleanup(() => stopPolling?.());

  const running = () => batch()?.status === "running";
  const problem = () => (attempted() ? descriptionProblem(description()) : null);

  const follow = (start: ReferenceBatchView) => {
    stopPolling?.();
    setBatch(start);
    if (start.status !== "running") return;
    stopPolling = pollLoop(
      () => fetchReferences(start.id),
      REFERENCE_POLL_MS,
      (next) => {
        setPollError(null);
        // A late read must not undo the answer of a cancel.
        if (batch()?.id === next.id && batch()?.status !== "running") return true;
        setBatch(next);
        return next.status !== "running";
      },
      setPollError,
    );
  };

  const draw = async () => {
    setAttempted(true);
    if (descriptionProblem(description())) {
      textarea?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const cleanStyle = cleanPrompt(style());
      follow(
        await startReferences({
          description: cleanPrompt(description()),
          kind: kind(),
          count: count(),
          ...(cleanStyle ? { style: cleanStyle } : {}),
        }),
      );
    } catch (err) {
      // A 401 has already ended the session; the guard is taking the user to sign-in.
      if (!(err instanceof ApiError && err.status === 401)) setError(err);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    const b = batch();
    if (!b) return;
    setBusy(true);
    try {
      const next = await cancelReferences(b.id);
      setBatch(next);
      if (next.status !== "running") stopPolling?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Enter" || !(e.target instanceof HTMLInputElement)) return;
    e.preventDefault();
    if (!busy() && !running()) void draw();
  };

  return (
    <div class="reference-generator">
      <button
        type="button"
        class="btn btn-ghost btn-sm reference-toggle"
        aria-expanded={open()}
        aria-controls={`${id}-body`}
        onClick={() => setOpen(!open())}
      >
        Draw one from a description
      </button>
      <fieldset id={`${id}-body`} class="reference-body" hidden={!open()} onKeyDown={onKeyDown}>
        <legend class="sr-only">Generate references</legend>
        <div class="field">
          <label class="field-label" for={`${id}-description`}>
            Describe the product or character
          </label>
          <textarea
            id={`${id}-description`}
            ref={(el) => {
              textarea = el;
            }}
            class="input reference-description"
            rows="2"
            placeholder="A matte black water bottle with a bamboo lid"
            value={description()}
            aria-invalid={problem() ? "true" : undefined}
            aria-describedby={`${id}-description-help`}
            onInput={(e) => setDescription(e.currentTarget.value)}
          />
          <p id={`${id}-description-help`} class="field-help" classList={{ "field-error": !!problem() }}>
            {problem() ?? `${REFERENCE_DESCRIPTION.min}-${REFERENCE_DESCRIPTION.max} characters.`}
          </p>
        </div>
        <div class="reference-options">
          <fieldset class="field">
            <legend class="field-label">Kind</legend>
            <div class="segmented">
              <For each={KINDS}>
                {([value, label]) => (
                  <label class="segment">
                    <input
                      type="radio"
                      name={`${id}-kind`}
                      value={value}
                      checked={kind() === value}
                      onChange={() => setKind(value)}
                    />
                    <span>{label}</span>
                  </label>
                )}
              </For>
            </div>
          </fieldset>
          <div class="field">
            <label class="field-label" for={`${id}-count`}>
              How many
            </label>
            <select
              id={`${id}-count`}
              class="input"
              value={String(count())}
              onChange={(e) => setCount(Number(e.currentTarget.value))}
            >
              <For each={COUNTS}>{(n) => <option value={String(n)}>{n}</option>}</For>
            </select>
          </div>
          <div class="field reference-style">
            <label class="field-label" for={`${id}-style`}>
              Style (optional)
            </label>
            <input
              id={`${id}-style`}
              class="input"
              type="text"
              maxLength={STYLE_MAX}
              placeholder="Studio photo, soft light"
              value={style()}
              onInput={(e) => setStyle(e.currentTarget.value)}
            />
          </div>
        </div>
        <div class="reference-actions">
          <button
            type="button"
            class="btn btn-primary btn-sm"
            disabled={busy() || running()}
            onClick={() => void draw()}
          >
            {running() ? "Drawing…" : `Draw ${count()} candidate${count() === 1 ? "" : "s"}`}
          </button>
          <Show when={running()}>
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              disabled={busy()}
              onClick={() => void cancel()}
            >
              Cancel
            </button>
          </Show>
        </div>
        <Show when={error()}>
          <p class="form-error" role="alert">
            {messageOf(error())}
          </p>
        </Show>
        <Show when={running() && pollError()}>
          <p class="notice small" role="status">
            Could not check on the drawing ({messageOf(pollError())}); retrying…
          </p>
        </Show>
        <Show when={batch()}>
          {(b) => <ReferenceBatch batch={b()} chosen={props.chosen} onChoose={props.onChoose} />}
        </Show>
      </fieldset>
    </div>
  );
}

/** "Drawing 4 candidates… 1 of 4 done", "3 of 4 drawn", ... */
function batchStatus(b: ReferenceBatchView): string {
  const drawn = b.candidates.filter((c) => c.status === "ready").length;
  const done = b.candidates.filter((c) => c.status === "ready" || c.status === "failed").length;
  switch (b.status) {
    case "running":
      return `Drawing ${b.count} candidate${b.count === 1 ? "" : "s"}… ${done} of ${b.count} done.`;
    case "completed":
      return `${drawn} of ${b.count} drawn. Pick one to use it.`;
    case "cancelled":
      return `Cancelled: ${drawn} of ${b.count} drawn.`;
    default:
      return "No candidate could be drawn.";
  }
}

/** A batch: its status and cost, the offline note, and a slot per candidate. */
function ReferenceBatch(props: {
  batch: ReferenceBatchView;
  chosen: string | null;
  onChoose: (asset: Asset) => void;
}) {
  return (
    <section
      class="reference-batch"
      aria-label="Reference candidates"
      aria-busy={props.batch.status === "running"}
      data-testid="reference-batch"
    >
      <p class="small reference-status" role="status" aria-live="polite">
        {batchStatus(props.batch)}
        <Show when={props.batch.cost > 0}>
          {" "}
          <span class="tabular" data-testid="reference-cost">
            Cost: {formatCost(props.batch.cost)}
          </span>
        </Show>
      </p>
      <Show when={props.batch.offline}>
        <p class="notice small" data-testid="reference-offline">
          Offline drafts: drawn by the built-in renderer, not photographs.
        </p>
      </Show>
      <ul class="reference-grid">
        <Index each={props.batch.candidates}>
          {(candidate) => (
            <CandidateSlot
              candidate={candidate()}
              running={props.batch.status === "running"}
              chosen={props.chosen}
              onChoose={props.onChoose}
            />
          )}
        </Index>
      </ul>
    </section>
  );
}

/** One candidate: drawing, drawn (with "Use this"), failed with its reason, or never drawn. */
function CandidateSlot(props: {
  candidate: ReferenceCandidate;
  running: boolean;
  chosen: string | null;
  onChoose: (asset: Asset) => void;
}) {
  const n = () => props.candidate.index + 1;
  const drawn = () => (props.candidate.status === "ready" ? props.candidate.asset : null);
  return (
    <li class="reference-slot" data-status={props.candidate.status} data-testid="reference-candidate">
      <Switch
        fallback={
          <div class="reference-drawing shimmer">
            <span>Drawing…</span>
          </div>
        }
      >
        <Match when={drawn()}>
          {(asset) => {
            const inUse = () => asset().id === props.chosen;
            return (
              <>
                <div class="reference-image">
                  <img src={asset().thumbnail_url ?? asset().url} alt={`Candidate ${n()}`} />
                </div>
                <button
                  type="button"
                  class="btn btn-sm"
                  classList={{ "btn-primary": inUse(), "btn-ghost": !inUse() }}
                  aria-label={`Use candidate ${n()}`}
                  aria-pressed={inUse()}
                  onClick={() => props.onChoose(asset())}
                >
                  {inUse() ? "In use" : "Use this"}
                </button>
              </>
            );
          }}
        </Match>
        <Match when={props.candidate.status === "failed"}>
          <p class="field-error small reference-failed">
            Candidate {n()} failed: {props.candidate.error ?? "no reason given"}
          </p>
        </Match>
        <Match when={!props.running}>
          <p class="muted small reference-failed">Candidate {n()} was not drawn.</p>
        </Match>
      </Switch>
    </li>
  );
}
