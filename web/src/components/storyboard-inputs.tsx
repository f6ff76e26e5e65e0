import { createEffect, createSignal, createUniqueId, on } from "solid-js";

/**
 * A scene's on-screen text, edited in place: saved on Enter or when the field loses focus,
 * Escape puts the saved text back. The server's text replaces the draft whenever it changes
 * (an edit landed, a scene moved into this card), except while the user is typing.
 */
export function SceneTextField(props: {
  scene: number;
  text: string;
  onSave: (text: string) => Promise<boolean>;
}) {
  const id = createUniqueId();
  const [draft, setDraft] = createSignal(props.text);
  let typing = false;
  // Enter saves and the blur after it must not send the same text again.
  let sent: string | null = null;
  createEffect(
    on(
      () => props.text,
      (text) => {
        sent = null;
        // While typing, only our own save coming back (trimmed) replaces the draft.
        if (!typing || text === draft().trim()) setDraft(text);
      },
    ),
  );
  const save = async () => {
    const text = draft().trim();
    if (!text) {
      setDraft(props.text);
      return;
    }
    if (text === props.text || text === sent) return;
    sent = text;
    if (!(await props.onSave(text))) sent = null;
  };
  return (
    <div class="field board-text">
      <label class="field-label small" for={id}>
        On-screen text
      </label>
      {/* Two lines, so a long line reads whole; it is one line of copy, so Enter saves. */}
      <textarea
        id={id}
        class="input"
        rows={2}
        aria-label={`Scene ${props.scene} on-screen text`}
        value={draft()}
        maxLength={120}
        onFocus={() => {
          typing = true;
        }}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onBlur={() => {
          typing = false;
          void save();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            void save();
          } else if (e.key === "Escape") {
            setDraft(props.text);
          }
        }}
      />
    </div>
  );
}

/**
 * A plain-language change to one scene ("shorter text"): the LLM rewrites its copy and shot.
 * Refinements are counted per generation; the line under the box says how many are left.
 */
export function RefineForm(props: {
  scene: number;
  left: string;
  exhausted: boolean;
  onRefine: (instruction: string) => Promise<boolean>;
}) {
  const id = createUniqueId();
  const [instruction, setInstruction] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const text = instruction().trim();
    if (text.length < 2) return;
    setBusy(true);
    const ok = await props.onRefine(text);
    setBusy(false);
    if (ok) setInstruction("");
  };
  return (
    <form class="board-refine" onSubmit={submit}>
      <label class="sr-only" for={id}>
        How should scene {props.scene} change?
      </label>
      <input
        id={id}
        class="input"
        placeholder="e.g. shorter text"
        required
        minLength={2}
        maxLength={300}
        value={instruction()}
        onInput={(e) => setInstruction(e.currentTarget.value)}
        aria-describedby={`${id}-left`}
        disabled={props.exhausted}
      />
      <div class="board-refine-row">
        <p id={`${id}-left`} class="field-help" data-testid="refinements-left">
          {props.left}
          {props.exhausted ? ": edit the text directly" : ""}
        </p>
        <button
          type="submit"
          class="btn btn-ghost btn-sm"
          disabled={busy() || props.exhausted}
          aria-label={`${busy() ? "Refining" : "Refine"} scene ${props.scene}`}
        >
          {busy() ? "Refining…" : "Refine"}
        </button>
      </div>
    </form>
  );
}
