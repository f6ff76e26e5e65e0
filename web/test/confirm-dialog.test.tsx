import { fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { describe, expect, test, vi } from "vitest";
import { ApiError } from "../src/api.ts";
import { ConfirmDialog } from "../src/components/confirm-dialog.tsx";

function setup(onConfirm: () => Promise<void>) {
  const [open, setOpen] = createSignal(true);
  render(() => (
    <ConfirmDialog
      open={open()}
      title="Delete this ad?"
      confirmLabel="Delete"
      onConfirm={onConfirm}
      onClose={() => setOpen(false)}
    >
      <p>It will be removed for good.</p>
    </ConfirmDialog>
  ));
  return { open, dialog: screen.getByRole("dialog", { name: "Delete this ad?" }) as HTMLDialogElement };
}

describe("ConfirmDialog", () => {
  test("opens modal with the safe choice focused, and Escape cancels", () => {
    const onConfirm = vi.fn(async () => {});
    const { open, dialog } = setup(onConfirm);
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute("aria-describedby")).toBe("dialog-body");
    expect(document.activeElement?.textContent).toBe("Cancel");
    fireEvent(dialog, new Event("cancel", { cancelable: true }));
    expect(open()).toBe(false);
    expect(dialog.open).toBe(false);
    expect(onConfirm).not.toHaveBeenCalled();
  });

  test("confirms, and keeps the dialog open with the error when that fails", async () => {
    const onConfirm = vi.fn(async (): Promise<void> => {
      throw new ApiError(500, "internal", "Something went wrong on our side. Please try again.");
    });
    const { open } = setup(onConfirm);
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    await screen.findByText("Something went wrong on our side. Please try again.");
    expect(open()).toBe(true);
    onConfirm.mockImplementation(async () => {});
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(open()).toBe(false));
    expect(onConfirm).toHaveBeenCalledTimes(2);
  });
});
