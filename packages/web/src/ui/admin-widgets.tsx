import { type ReactNode, useId } from "react";
import { FormError } from "./form-dialog";

/** A labelled choice of the console's filters. */
export function SelectField<V extends string>(props: {
  id: string;
  label: string;
  value: V;
  options: readonly (readonly [V, string])[];
  onChange: (value: V) => void;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={props.id}>
        {props.label}
      </label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as V)}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * A labelled text, search or date box of the console's filters and forms (64 characters, as the
 * filters take, unless `maxLength` says).
 */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: "text" | "search" | "date";
  placeholder?: string;
  maxLength?: number;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={props.id}>
        {props.label}
      </label>
      <input
        id={props.id}
        type={props.type ?? "text"}
        value={props.value}
        maxLength={props.maxLength ?? 64}
        {...(props.placeholder ? { placeholder: props.placeholder } : {})}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </div>
  );
}

/** The options of a choice of `keys`, each shown as its label. */
export function optionsOf<V extends string>(
  keys: readonly V[],
  labels: Record<V, string>,
): (readonly [V, string])[] {
  return keys.map((k) => [k, labels[k]] as const);
}

/**
 * A page of rows, each opened (its details shown below the table) by the button of its first
 * cell, and a button for the next page while there is one.
 */
export function PickTable<T extends { id: number }>(props: {
  caption: string;
  columns: readonly string[];
  rows: readonly T[];
  openId: number | undefined;
  onOpen: (id: number | undefined) => void;
  name: (row: T) => ReactNode;
  cells: (row: T) => ReactNode[];
  empty: string;
  more: (() => void) | undefined;
  moreLabel: string;
}) {
  const { openId, onOpen } = props;
  return (
    <>
      <div className="admin-table-wrap">
        <table className="admin-table">
          <caption className="sr-only">{props.caption}</caption>
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr key={row.id} aria-selected={openId === row.id}>
                <th scope="row">
                  <button
                    type="button"
                    className="link-button"
                    aria-expanded={openId === row.id}
                    onClick={() => onOpen(openId === row.id ? undefined : row.id)}
                  >
                    {props.name(row)}
                  </button>
                </th>
                {props.cells(row).map((cell, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: columns never reorder
                  <td key={i}>{cell}</td>
                ))}
              </tr>
            ))}
            {props.rows.length === 0 && (
              <tr>
                <td colSpan={props.columns.length} className="admin-empty">
                  {props.empty}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {props.more && (
        <button type="button" className="button" onClick={props.more}>
          {props.moreLabel}
        </button>
      )}
    </>
  );
}

/** The details of a row opened below its table: a title, Close, the last refusal or success. */
export function DetailPane(props: {
  title: ReactNode;
  onClose: () => void;
  error: string | undefined;
  done: string | undefined;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <section className="admin-detail" aria-labelledby={`${id}-title`}>
      <div className="admin-detail-head">
        <h2 id={`${id}-title`}>{props.title}</h2>
        <button type="button" className="button button-ghost" onClick={props.onClose}>
          Close
        </button>
      </div>
      <FormError error={props.error} />
      {props.done && (
        <p className="admin-done" role="status">
          {props.done}
        </p>
      )}
      {props.children}
    </section>
  );
}
