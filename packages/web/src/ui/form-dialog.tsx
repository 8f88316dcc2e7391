import { type FormEvent, type ReactNode, useState } from "react";
import { Modal } from "./modal";

/**
 * A form's submit: busy while `action` runs; a refusal (as `errorOf` words it) is kept to show,
 * and the form may be sent again. On success the caller is expected to close the form. `run`
 * does the same for another action of the same form (a button that is not its submit).
 */
export function useFormAction(action: () => Promise<void>, errorOf: (err: unknown) => string) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (act: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await act();
      setBusy(false);
    } catch (err) {
      setError(errorOf(err));
      setBusy(false);
    }
  };
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    return run(action);
  };
  return { error, busy, submit, run };
}

/** Why a form's request was refused, announced when it appears. */
export function FormError({ error }: { error: string | undefined }) {
  return error ? (
    <p className="form-error" role="alert">
      {error}
    </p>
  ) : null;
}

/** What a dialog's form shows around its fields. */
export interface DialogFormProps {
  form: ReturnType<typeof useFormAction>;
  submitLabel: string;
  onCancel: () => void;
  cancelLabel?: string;
  /** For what cannot be undone. */
  danger?: boolean;
  /** Focus starts on Cancel (the choice that loses nothing) rather than the first field. */
  cancelFocused?: boolean;
  children: ReactNode;
}

/**
 * The shape every form in a dialog shares: its fields, the refusal if any, then Cancel and the
 * submit button.
 */
export function DialogForm({
  form,
  submitLabel,
  onCancel,
  cancelLabel = "Cancel",
  danger = false,
  cancelFocused = false,
  children,
}: DialogFormProps) {
  return (
    <form className="stack" onSubmit={form.submit}>
      {children}
      <FormError error={form.error} />
      <div className="modal-actions">
        <button
          type="button"
          className="button"
          onClick={onCancel}
          {...(cancelFocused ? { "data-autofocus": true } : {})}
        >
          {cancelLabel}
        </button>
        <button
          type="submit"
          className={danger ? "button button-danger" : "button button-primary"}
          disabled={form.busy}
        >
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

/** A modal titled `title` that holds one `DialogForm`; Cancel closes it. */
export function FormDialog({
  title,
  onClose,
  ...form
}: Omit<DialogFormProps, "onCancel"> & { title: string; onClose: () => void }) {
  return (
    <Modal title={title} onClose={onClose}>
      <DialogForm {...form} onCancel={onClose} />
    </Modal>
  );
}
