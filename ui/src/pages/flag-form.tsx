/**
 * The flag's form view: the whole flag model as fields — variants (name and typed value), the off
 * variant, enabled, rules, the fallthrough, bucketBy, clientSide, category, tags, owner and
 * description. It edits the same draft as the JSON view (ui/src/flag-form-model.ts) and shows each
 * API error beside the field its `details[].path` names.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { defaultVariantValue, type FlagType, freshName, getIn, keysOutsideForm, parseTagsText, parseVariantText, renameVariant, setIn, tagsText, variantText } from "../flag-form-model.js";
import { Field, FieldErrors, fieldAttrs, type FormCtx, ServeEditor, TextField, VariantSelect } from "./form-fields.js";
import { RulesEditor } from "./flag-form-rules.js";

/** One variant value, typed by the flag's type; text that does not parse stays local with a hint. */
function VariantValue(props: { ctx: FormCtx; name: string; index: number; type: FlagType }): JSX.Element {
  const { ctx, name, type } = props;
  const path = `variants.${name}`;
  const value = getIn(ctx.draft, ["variants", name]);
  const [text, setText] = useState(variantText(type, value));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    // The draft changed from elsewhere (the JSON view, a reload): show it.
    const parsed = parseVariantText(type, text);
    if (!parsed.ok || JSON.stringify(parsed.value) !== JSON.stringify(value)) {
      setText(variantText(type, value));
      setProblem(null);
    }
  }, [JSON.stringify(value), type]);
  const onText = (next: string) => {
    setText(next);
    const parsed = parseVariantText(type, next);
    setProblem(parsed.ok ? null : parsed.message);
    if (parsed.ok) ctx.update((d) => setIn(d, ["variants", name], parsed.value));
  };
  const context = `Variant ${props.index + 1}`;
  return (
    <Field ctx={ctx} path={path} label="Value" context={context} class="grow">
      {type === "boolean" ? (
        <select {...fieldAttrs(ctx, path)} value={text} onChange={(e) => onText((e.currentTarget as HTMLSelectElement).value)}>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : type === "object" ? (
        <textarea {...fieldAttrs(ctx, path)} class="code" rows={3} spellcheck={false} value={text} onInput={(e) => onText((e.currentTarget as HTMLTextAreaElement).value)} />
      ) : (
        <input {...fieldAttrs(ctx, path)} inputMode={type === "number" ? "decimal" : undefined} spellcheck={false} value={text} onInput={(e) => onText((e.currentTarget as HTMLInputElement).value)} />
      )}
      {problem && <span class="field-error">{problem}</span>}
    </Field>
  );
}

/** A variant's name: renamed in place, with the off variant and the serves naming it, when the new name is free. */
function VariantName(props: { ctx: FormCtx; name: string; index: number }): JSX.Element {
  const { ctx, name, index } = props;
  const [text, setText] = useState(name);
  useEffect(() => setText(name), [name]);
  return (
    <span class="field">
      <label for={`ff-variant-name-${index}`}>
        <span class="sr-only">Variant {index + 1} </span>Name
      </label>
      <input
        id={`ff-variant-name-${index}`}
        value={text}
        spellcheck={false}
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
        onChange={() => ctx.update((d) => renameVariant(d, name, text.trim()))}
      />
    </span>
  );
}

function Variants(props: { ctx: FormCtx; type: FlagType }): JSX.Element {
  const { ctx, type } = props;
  const variants = (getIn(ctx.draft, ["variants"]) as Record<string, unknown> | undefined) ?? {};
  const names = Object.keys(variants);
  return (
    <fieldset>
      <legend>Variants</legend>
      <FieldErrors ctx={ctx} path="variants" />
      <ol class="plain variants" aria-label="Variants">
        {names.map((name, i) => (
          <li key={name} class="form-row">
            <VariantName ctx={ctx} name={name} index={i} />
            <VariantValue ctx={ctx} name={name} index={i} type={type} />
            <button
              type="button"
              aria-label={`Remove variant ${name}`}
              disabled={names.length <= 1}
              onClick={() => ctx.update((d) => setIn(d, ["variants", name], undefined))}
            >
              Remove
            </button>
          </li>
        ))}
      </ol>
      <button type="button" onClick={() => ctx.update((d) => setIn(d, ["variants", freshName(names, "variant")], defaultVariantValue(type)))}>
        Add variant
      </button>
    </fieldset>
  );
}

export function FlagForm(props: { ctx: FormCtx }): JSX.Element {
  const { ctx } = props;
  const type = (getIn(ctx.draft, ["type"]) as FlagType | undefined) ?? "boolean";
  const enabled = getIn(ctx.draft, ["enabled"]) === true;
  const clientSide = getIn(ctx.draft, ["clientSide"]) === true;
  return (
    <div class="flag-form">
      <p class="muted">
        Type <code>{type}</code>; the key and type are fixed here (edit them in the JSON view).
      </p>
      {keysOutsideForm(ctx.draft).length > 0 && (
        <p class="muted">
          Also in this flag, kept as they are and edited in the JSON view:{" "}
          {keysOutsideForm(ctx.draft).map((k, i) => (
            <span key={k}>
              {i > 0 && ", "}
              <code>{k}</code>
            </span>
          ))}
          .
        </p>
      )}
      <div class="form-row">
        <span class="check">
          <input id="ff-enabled" type="checkbox" checked={enabled} onChange={(e) => ctx.update((d) => setIn(d, ["enabled"], (e.currentTarget as HTMLInputElement).checked))} />
          <label for="ff-enabled">Enabled</label>
          <FieldErrors ctx={ctx} path="enabled" />
        </span>
        <VariantSelect ctx={ctx} path={["offVariant"]} label="Off variant" />
      </div>
      <Variants ctx={ctx} type={type} />
      <RulesEditor ctx={ctx} />
      <ServeEditor ctx={ctx} path={["fallthrough"]} context="Fallthrough" />
      <fieldset>
        <legend>Bucketing and metadata</legend>
        <div class="form-row">
          <TextField ctx={ctx} path={["bucketBy"]} label="Bucket by (context attribute)" optional />
          <span class="check">
            <input id="ff-clientSide" type="checkbox" checked={clientSide} onChange={(e) => ctx.update((d) => setIn(d, ["clientSide"], (e.currentTarget as HTMLInputElement).checked))} />
            <label for="ff-clientSide">Client-side (served to client SDK keys)</label>
          </span>
          <TextField ctx={ctx} path={["category"]} label="Category" optional />
          <TextField ctx={ctx} path={["owner"]} label="Owner" optional />
        </div>
        <TextField ctx={ctx} path={["tags"]} label="Tags (comma-separated)" format={tagsText} parse={parseTagsText} />
        <Field ctx={ctx} path="description" label="Description">
          <textarea
            {...fieldAttrs(ctx, "description")}
            rows={2}
            value={String(getIn(ctx.draft, ["description"]) ?? "")}
            onInput={(e) => {
              const v = (e.currentTarget as HTMLTextAreaElement).value;
              ctx.update((d) => setIn(d, ["description"], v === "" ? undefined : v));
            }}
          />
        </Field>
      </fieldset>
    </div>
  );
}
