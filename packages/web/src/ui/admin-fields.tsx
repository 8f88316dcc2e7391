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

/** A labelled text, search or date box of the console's filters (64 characters, as the API takes). */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  type?: "text" | "search" | "date";
  placeholder?: string;
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
        maxLength={64}
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
