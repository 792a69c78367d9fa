/**
 * The form editor's rules: each rule's id, description, conditions (attribute, operator, values)
 * and serve, with buttons to add, remove and reorder rules and conditions. Keys of a rule or a
 * condition the form does not know stay in the draft as they are.
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { getIn, move, newCondition, newRule, OPERATORS, parseValuesText, setIn, updateList, valuesText } from "../flag-form-model.js";
import { fieldId } from "../flag-form-paths.js";
import { Field, FieldErrors, fieldAttrs, type FormCtx, ServeEditor, TextField } from "./form-fields.js";

/** A condition's values, one per line; the text stays as typed while it reads as the draft's values. */
function ValuesField(props: { ctx: FormCtx; path: (string | number)[]; context: string }): JSX.Element {
  const { ctx, path } = props;
  const at = path.join(".");
  const values = getIn(ctx.draft, path);
  const [text, setText] = useState(() => valuesText(values));
  useEffect(() => {
    if (JSON.stringify(parseValuesText(text)) !== JSON.stringify(values ?? [])) setText(valuesText(values));
  }, [JSON.stringify(values)]);
  return (
    <Field ctx={ctx} path={at} label="Values (one per line)" context={props.context}>
      <textarea
        {...fieldAttrs(ctx, at)}
        rows={2}
        spellcheck={false}
        value={text}
        onInput={(e) => {
          const raw = (e.currentTarget as HTMLTextAreaElement).value;
          setText(raw);
          ctx.update((d) => setIn(d, path, parseValuesText(raw)));
        }}
      />
    </Field>
  );
}

function Condition(props: { ctx: FormCtx; rule: number; index: number; count: number }): JSX.Element {
  const { ctx, rule, index, count } = props;
  const path = ["rules", rule, "when", index] as const;
  const context = `Rule ${rule + 1} condition ${index + 1}`;
  const op = String(getIn(ctx.draft, [...path, "op"]) ?? "");
  const ops: string[] = (OPERATORS as readonly string[]).includes(op) ? [...OPERATORS] : [op, ...OPERATORS];
  const opPath = `${path.join(".")}.op`;
  const list = (change: (items: unknown[]) => unknown[]) => ctx.update((d) => updateList(d, ["rules", rule, "when"], change));
  return (
    <li class="condition">
      <TextField ctx={ctx} path={[...path, "attribute"]} label="Attribute" context={context} />
      <Field ctx={ctx} path={opPath} label="Operator" context={context}>
        <select {...fieldAttrs(ctx, opPath)} value={op} onChange={(e) => ctx.update((d) => setIn(d, [...path, "op"], (e.currentTarget as HTMLSelectElement).value))}>
          {ops.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </Field>
      <ValuesField ctx={ctx} path={[...path, "values"]} context={context} />
      <FieldErrors ctx={ctx} path={path.join(".")} />
      <span class="row-buttons">
        <button type="button" aria-label={`Move ${context} up`} disabled={index === 0} onClick={() => list((items) => move(items, index, -1))}>
          ↑
        </button>
        <button type="button" aria-label={`Move ${context} down`} disabled={index === count - 1} onClick={() => list((items) => move(items, index, 1))}>
          ↓
        </button>
        <button type="button" aria-label={`Remove ${context}`} onClick={() => list((items) => items.filter((_c, i) => i !== index))}>
          Remove
        </button>
      </span>
    </li>
  );
}

function RuleEditor(props: { ctx: FormCtx; index: number; count: number }): JSX.Element {
  const { ctx, index, count } = props;
  const context = `Rule ${index + 1}`;
  const when = getIn(ctx.draft, ["rules", index, "when"]);
  const conditions = Array.isArray(when) ? when : [];
  const rules = (change: (items: unknown[]) => unknown[]) => ctx.update((d) => updateList(d, ["rules"], change));
  return (
    <li class="rule" aria-labelledby={fieldId(`rules.${index}`)}>
      <div class="rule-head">
        <h4 id={fieldId(`rules.${index}`)}>{context}</h4>
        <FieldErrors ctx={ctx} path={`rules.${index}`} />
        <span class="row-buttons">
          <button type="button" aria-label={`Move ${context} up`} disabled={index === 0} onClick={() => rules((items) => move(items, index, -1))}>
            ↑
          </button>
          <button type="button" aria-label={`Move ${context} down`} disabled={index === count - 1} onClick={() => rules((items) => move(items, index, 1))}>
            ↓
          </button>
          <button type="button" aria-label={`Remove ${context}`} onClick={() => rules((items) => items.filter((_r, i) => i !== index))}>
            Remove rule
          </button>
        </span>
      </div>
      <div class="form-row">
        <TextField ctx={ctx} path={["rules", index, "id"]} label="Rule ID" context={context} />
        <TextField ctx={ctx} path={["rules", index, "description"]} label="Description" context={context} optional class="grow" />
      </div>
      <p class="muted">
        Matches when every condition holds. <FieldErrors ctx={ctx} path={`rules.${index}.when`} />
      </p>
      <ol class="conditions" aria-label={`${context} conditions`}>
        {conditions.map((_c, j) => (
          <Condition key={j} ctx={ctx} rule={index} index={j} count={conditions.length} />
        ))}
      </ol>
      <button type="button" onClick={() => ctx.update((d) => updateList(d, ["rules", index, "when"], (items) => [...items, newCondition()]))}>
        Add condition to rule {index + 1}
      </button>
      <ServeEditor ctx={ctx} path={["rules", index, "serve"]} context={context} />
    </li>
  );
}

export function RulesEditor(props: { ctx: FormCtx }): JSX.Element {
  const { ctx } = props;
  const raw = getIn(ctx.draft, ["rules"]);
  const rules = Array.isArray(raw) ? raw : [];
  return (
    <fieldset class="rules">
      <legend>Rules (first match wins)</legend>
      <FieldErrors ctx={ctx} path="rules" />
      <ol class="plain" aria-label="Rules">
        {rules.map((_r, i) => (
          <RuleEditor key={i} ctx={ctx} index={i} count={rules.length} />
        ))}
      </ol>
      <button type="button" onClick={() => ctx.update((d) => updateList(d, ["rules"], (items) => [...items, newRule(d)]))}>
        Add rule
      </button>
    </fieldset>
  );
}
