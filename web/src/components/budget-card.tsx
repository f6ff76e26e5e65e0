/**
 * The monthly budget beside the library's total: this month's spend against the cap (or "No
 * monthly cap"), and a small inline form to set, change or remove the cap. Generations,
 * comparisons and approvals beyond what is left are refused by the API (402) with a message
 * the pages already show. The amount is checked here first; the account is read again on save.
 */
import { createAsync } from "@solidjs/router";
import { createSignal, createUniqueId, Show, Suspense } from "solid-js";
import { ApiError, type Budget, getMe, messageOf, setMonthlyBudget } from "../api.ts";
import { formatCost } from "../format.ts";

/** The API's range for a cap, in USD. */
const MAX_BUDGET_USD = 100_000;

/** The cap typed in, or why it cannot be saved. */
export function parseBudget(raw: string): { value: number } | { error: string } {
  const text = raw.trim();
  if (!text) return { error: "Enter an amount in USD, or remove the cap." };
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: "Enter an amount in USD, like 25 or 12.50." };
  if (value < 0) return { error: "The budget cannot be negative." };
  if (value > MAX_BUDGET_USD) return { error: "The budget can be at most $100,000 a month." };
  return { value };
}

/** This month's spend and cap, with "Set budget" / "Edit budget". */
export function BudgetCard() {
  const me = createAsync(() => getMe());
  return (
    <div class="stat card budget-card" data-testid="budget">
      <Suspense fallback={<span class="muted small">This month: …</span>}>
        <Show when={me()?.budget} fallback={<span class="muted small">This month: …</span>}>
          {(budget) => <BudgetBody budget={budget()} />}
        </Show>
      </Suspense>
    </div>
  );
}

function BudgetBody(props: { budget: Budget }) {
  const [editing, setEditing] = createSignal(false);
  let opener: HTMLButtonElement | undefined;
  const cap = () => props.budget.monthly_budget_usd;
  const close = () => {
    setEditing(false);
    queueMicrotask(() => opener?.focus());
  };
  return (
    <>
      <span class="muted small">Monthly budget</span>
      <p class="budget-figure" data-testid="budget-figure">
        This month: <strong class="tabular">{formatCost(props.budget.spent_this_month_usd)}</strong>
        <Show when={cap() !== null} fallback={<span class="muted"> · No monthly cap</span>}>
          {" "}
          of <span class="tabular">{formatCost(cap() ?? 0)}</span>
        </Show>
      </p>
      <Show
        when={editing()}
        fallback={
          <button ref={opener} type="button" class="btn btn-ghost btn-sm" onClick={() => setEditing(true)}>
            {cap() === null ? "Set budget" : "Edit budget"}
          </button>
        }
      >
        <BudgetForm current={cap()} onDone={close} />
      </Show>
    </>
  );
}

/** The inline form: an amount, Save, Remove cap (when there is one) and Cancel. */
function BudgetForm(props: { current: number | null; onDone: () => void }) {
  const id = createUniqueId();
  const [amount, setAmount] = createSignal(props.current === null ? "" : String(props.current));
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  const save = async (monthlyUsd: number | null) => {
    setSaving(true);
    setError(null);
    try {
      await setMonthlyBudget(monthlyUsd);
      props.onDone();
    } catch (err) {
      setError((err instanceof ApiError && err.field("monthly_usd")) || messageOf(err));
    } finally {
      setSaving(false);
    }
  };
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const parsed = parseBudget(amount());
    if ("error" in parsed) setError(parsed.error);
    else void save(parsed.value);
  };

  return (
    <form class="budget-form" aria-label="Monthly budget" noValidate onSubmit={submit}>
      <div class="field">
        <label class="field-label small" for={`${id}-amount`}>
          Monthly budget (USD)
        </label>
        <input
          id={`${id}-amount`}
          ref={(el) => queueMicrotask(() => el.focus())}
          class="input"
          type="number"
          inputmode="decimal"
          min="0"
          max={MAX_BUDGET_USD}
          step="0.01"
          value={amount()}
          aria-invalid={error() ? "true" : undefined}
          aria-describedby={error() ? `${id}-error` : undefined}
          onInput={(e) => {
            setAmount(e.currentTarget.value);
            setError(null);
          }}
        />
        <Show when={error()}>
          <p id={`${id}-error`} class="field-error" role="alert">
            {error()}
          </p>
        </Show>
      </div>
      <div class="budget-actions">
        <button type="submit" class="btn btn-primary btn-sm" disabled={saving()}>
          Save budget
        </button>
        <Show when={props.current !== null}>
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            disabled={saving()}
            onClick={() => void save(null)}
          >
            Remove cap
          </button>
        </Show>
        <button type="button" class="btn btn-ghost btn-sm" disabled={saving()} onClick={() => props.onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
