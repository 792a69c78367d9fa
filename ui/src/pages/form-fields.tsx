/**
 * The form editor's building blocks: a labelled field with its API errors beside it (linked by
 * `aria-describedby`, `aria-invalid`), and the serve editor shared by rules and the fallthrough.
 */
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { type Draft, changeServeKind, getIn, numberOrText, type Path, serveKind, setIn, timeOrUndefined } from "../flag-form-model.js";
import { fieldId } from "../flag-form-paths.js";

/** What every form part gets: the draft, a way to change it, the errors per field path, access. */
export interface FormCtx {
  draft: Draft;
  update: (change: (draft: Draft) => Draft) => void;
  errors: Map<string, string[]>;
}

export const dotted = (path: Path) => path.join(".");

/** The error lines of one field, for `aria-describedby`. */
export function FieldErrors(props: { ctx: FormCtx; path: string }): JSX.Element | null {
  const messages = props.ctx.errors.get(props.path);
  if (!messages?.length) return null;
  return (
    <span id={`${fieldId(props.path)}-error`} class="field-error">
      {messages.join("; ")}
    </span>
  );
}

/** Attributes tying an input to its field path and its errors. */
export function fieldAttrs(ctx: FormCtx, path: string): Record<string, unknown> {
  const invalid = (ctx.errors.get(path)?.length ?? 0) > 0;
  return { id: fieldId(path), "aria-invalid": invalid ? "true" : undefined, "aria-describedby": invalid ? `${fieldId(path)}-error` : undefined };
}

/** A label (with optional screen-reader-only context before it) around any control. */
export function Field(props: { ctx: FormCtx; path: string; label: string; context?: string; class?: string; children: ComponentChildren }): JSX.Element {
  return (
    <span class={`field ${props.class ?? ""}`}>
      <label for={fieldId(props.path)}>
        {props.context && <span class="sr-only">{props.context} </span>}
        {props.label}
      </label>
      {props.children}
      <FieldErrors ctx={props.ctx} path={props.path} />
    </span>
  );
}

/**
 * A text input bound to one draft path; empty text removes the key when `optional`. The text is
 * kept locally while it still reads as the draft's value, so "2." or "a, " survive typing.
 */
export function TextField(props: { ctx: FormCtx; path: Path; label: string; context?: string; optional?: boolean; parse?: (text: string) => unknown; format?: (v: unknown) => string; class?: string }): JSX.Element {
  const { ctx } = props;
  const at = dotted(props.path);
  const value = getIn(ctx.draft, props.path);
  const format = (v: unknown) => (props.format ? props.format(v) : v === undefined || v === null ? "" : String(v));
  const read = (raw: string) => (props.parse ? props.parse(raw) : props.optional && raw === "" ? undefined : raw);
  const [text, setText] = useState(() => format(value));
  useEffect(() => {
    if (JSON.stringify(read(text)) !== JSON.stringify(value)) setText(format(value));
  }, [JSON.stringify(value)]);
  return (
    <Field ctx={ctx} path={at} label={props.label} context={props.context} class={props.class}>
      <input
        {...fieldAttrs(ctx, at)}
        value={text}
        spellcheck={false}
        onInput={(e) => {
          const raw = (e.currentTarget as HTMLInputElement).value;
          setText(raw);
          ctx.update((d) => setIn(d, props.path, read(raw)));
        }}
      />
    </Field>
  );
}

/** A select of variant names bound to one path (an unknown current value is kept as an option). */
export function VariantSelect(props: { ctx: FormCtx; path: Path; label: string; context?: string }): JSX.Element {
  const { ctx } = props;
  const at = dotted(props.path);
  const names = Object.keys((getIn(ctx.draft, ["variants"]) as Record<string, unknown> | undefined) ?? {});
  const value = String(getIn(ctx.draft, props.path) ?? "");
  const options = names.includes(value) ? names : [value, ...names];
  return (
    <Field ctx={ctx} path={at} label={props.label} context={props.context}>
      <select {...fieldAttrs(ctx, at)} value={value} onChange={(e) => ctx.update((d) => setIn(d, props.path, (e.currentTarget as HTMLSelectElement).value))}>
        {options.map((n) => (
          <option key={n} value={n}>
            {n === "" ? "(none)" : n}
          </option>
        ))}
      </select>
    </Field>
  );
}

const SERVE_KINDS = [
  ["variant", "a variant"],
  ["split", "a split"],
  ["rollout", "a rollout"],
] as const;

/** A serve: its kind, then the variant, the split weights, or the rollout's fields. */
export function ServeEditor(props: { ctx: FormCtx; path: Path; context: string }): JSX.Element {
  const { ctx, path, context } = props;
  const at = dotted(path);
  const serve = getIn(ctx.draft, path);
  const kind = serveKind(serve);
  const names = Object.keys((getIn(ctx.draft, ["variants"]) as Record<string, unknown> | undefined) ?? {});
  return (
    <fieldset class="serve">
      <legend>{context} serves</legend>
      <Field ctx={ctx} path={at} label="Serve" context={context}>
        <select {...fieldAttrs(ctx, at)} value={kind} onChange={(e) => ctx.update((d) => setIn(d, path, changeServeKind(getIn(d, path), (e.currentTarget as HTMLSelectElement).value as typeof kind, names)))}>
          {SERVE_KINDS.map(([k, text]) => (
            <option key={k} value={k}>
              {text}
            </option>
          ))}
        </select>
      </Field>
      {kind === "variant" && <VariantSelect ctx={ctx} path={[...path, "variant"]} label="Variant" context={context} />}
      {kind === "split" && (
        <>
          <FieldErrors ctx={ctx} path={`${at}.split`} />
          {names.map((name) => (
            <TextField
              key={name}
              ctx={ctx}
              class="narrow"
              path={[...path, "split", name]}
              label={`${name} %`}
              context={`${context} split weight of`}
              parse={numberOrText}
            />
          ))}
        </>
      )}
      {kind === "rollout" && (
        <>
          <VariantSelect ctx={ctx} path={[...path, "rollout", "variant"]} label="Rollout variant" context={context} />
          <VariantSelect ctx={ctx} path={[...path, "rollout", "baseline"]} label="Baseline" context={context} />
          <TextField ctx={ctx} class="narrow" path={[...path, "rollout", "percentage"]} label="Percentage" context={context} parse={numberOrText} />
          <TextField ctx={ctx} path={[...path, "rollout", "startAt"]} label="Ramp start (ISO or epoch ms)" context={context} parse={timeOrUndefined} />
          <TextField ctx={ctx} path={[...path, "rollout", "endAt"]} label="Ramp end" context={context} parse={timeOrUndefined} />
        </>
      )}
    </fieldset>
  );
}
