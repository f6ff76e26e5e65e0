import { createEffect, createSignal, type JSX, Show } from "solid-js";
import { messageOf } from "../api.ts";

/**
 * A modal confirmation on the native `<dialog>`: focus is trapped and restored by the browser,
 * Escape cancels, and the safe choice (Cancel) has focus first. While `onConfirm` runs the
 * buttons are disabled; a failure is shown inside the dialog instead of closing it.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: JSX.Element;
  confirmLabel: string;
  /** Shown on the confirm button while `onConfirm` runs. */
  busyLabel?: string;
  /** The safe choice's label; "Cancel" unless that would read like the action itself. */
  cancelLabel?: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  let dialog!: HTMLDialogElement;
  let cancel!: HTMLButtonElement;
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);

  createEffect(() => {
    if (props.open && !dialog.open) {
      setError(null);
      dialog.showModal();
      cancel.focus();
    } else if (!props.open && dialog.open) {
      dialog.close();
    }
  });

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="dialog-title"
      aria-describedby="dialog-body"
      onCancel={(e) => {
        // Escape while the request runs would hide its outcome; otherwise it is Cancel.
        e.preventDefault();
        if (!busy()) props.onClose();
      }}
    >
      <h2 id="dialog-title" class="dialog-title">
        {props.title}
      </h2>
      <div id="dialog-body" class="dialog-body">
        {props.children}
      </div>
      <Show when={error()}>
        <p class="field-error" role="alert">
          {messageOf(error())}
        </p>
      </Show>
      <div class="dialog-actions">
        <button
          ref={cancel}
          type="button"
          class="btn btn-ghost"
          disabled={busy()}
          onClick={() => props.onClose()}
        >
          {props.cancelLabel ?? "Cancel"}
        </button>
        <button type="button" class="btn btn-danger" disabled={busy()} onClick={confirm}>
          {busy() ? (props.busyLabel ?? "Working…") : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
