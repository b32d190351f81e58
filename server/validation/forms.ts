import { z } from 'zod';
import { AGGREGATIONS, QUALIFIERS, VERIFICATIONS } from '../../db/types';
import type { FigureFields } from '../../db/queries/figure-edits';
import type { NewSource } from '../../db/queries/sources';
import { isRealDate } from './query';

/** What a form sent, as strings (the values re-shown when it comes back). */
export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

export type FormResult<T> = { ok: true; data: T; values: FormValues } | { ok: false; errors: FieldErrors; values: FormValues };

/** Every field of an urlencoded body as a string; a repeated field keeps its last value. */
export function formValues(body: unknown): FormValues {
  const out: FormValues = {};
  if (!body || typeof body !== 'object') return out;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const v: unknown = Array.isArray(value) ? (value as unknown[]).at(-1) : value;
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

/** Parses each field with its own schema, so every field's first error is reported at once. */
function parseFields<S extends Record<string, z.ZodType>>(
  shape: S,
  values: FormValues,
): { data: { [K in keyof S]?: z.output<S[K]> }; errors: FieldErrors } {
  const data: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const [name, schema] of Object.entries(shape)) {
    const parsed = schema.safeParse(values[name] ?? '');
    if (parsed.success) data[name] = parsed.data;
    else errors[name] = parsed.error.issues[0]?.message ?? 'is not valid';
  }
  return { data: data as { [K in keyof S]?: z.output<S[K]> }, errors };
}

const required = (max: number) =>
  z.string().trim().min(1, 'Required.').max(max, `At most ${max} characters.`);

const optional = (max: number) =>
  z.string().trim().max(max, `At most ${max} characters.`).transform((s) => (s === '' ? null : s));


const date = z
  .string()
  .trim()
  .min(1, 'Required.')
  .refine(isRealDate, 'Must be a real date written YYYY-MM-DD, e.g. 2024-02-07.');

const optionalDate = z
  .string()
  .trim()
  .refine((s) => s === '' || isRealDate(s), 'Must be a real date written YYYY-MM-DD, e.g. 2024-02-07.')
  .transform((s) => (s === '' ? null : s));

// Thousands separators are accepted as typed ("10,382"); nothing else is.
const wholeNumberText = z
  .string()
  .trim()
  .transform((s) => s.replace(/[,\s]/g, ''))
  .refine((s) => s === '' || /^\d+$/.test(s), 'Must be a whole number of 0 or more (digits only).')
  .refine((s) => s === '' || Number.isSafeInteger(Number(s)), 'Is too large.');

const wholeNumber = wholeNumberText.refine((s) => s !== '', 'Required.').transform(Number);
const optionalWholeNumber = wholeNumberText.transform((s) => (s === '' ? null : Number(s)));

const httpUrl = z
  .string()
  .trim()
  .max(2000, 'At most 2000 characters.')
  .refine((s) => {
    if (s === '') return true;
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'Must be a web address starting with http:// or https://.')
  .transform((s) => (s === '' ? null : s));

const id = (what: string) =>
  z.string().trim().regex(/^[1-9]\d{0,14}$/, `Choose ${what}.`).transform(Number);

export const PERIOD_KINDS = ['day', 'range', 'since'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

const figureShape = {
  indicator_id: id('an indicator'),
  location_id: id('a place'),
  period_kind: z.enum(PERIOD_KINDS, 'Choose one day, a range or since a date.'),
  reference_period_start: date,
  value: wholeNumber,
  value_low: optionalWholeNumber,
  value_high: optionalWholeNumber,
  qualifier: z.enum(QUALIFIERS, 'Choose a qualifier.'),
  verification: z.enum(VERIFICATIONS, 'Choose a verification level.'),
  reported_by: required(200),
  claimed_by: optional(200),
  source_quote: required(2000),
  notes: optional(5000),
};

const sourceShape = {
  title: required(500),
  publisher: required(200),
  url: httpUrl,
  published_on: optionalDate,
  accessed_on: optionalDate,
  notes: optional(5000),
};

export interface FigureForm {
  fields: Omit<FigureFields, 'source_id'> & { source_id: number | null };
  /** A source to create with the figure, when "new source" was chosen. */
  newSource: NewSource | null;
}

/**
 * The figure form: every rule of the issue, each error keyed by its field.
 * One day uses the start date as the end; a range and "since" need both.
 */
export function parseFigureForm(body: unknown): FormResult<FigureForm> {
  const values = formValues(body);
  const { data, errors } = parseFields(figureShape, values);

  let end: string | null = null;
  if (data.period_kind === 'day') {
    end = data.reference_period_start ?? null;
  } else {
    const parsedEnd = date.safeParse(values.reference_period_end ?? '');
    if (!parsedEnd.success) errors.reference_period_end = parsedEnd.error.issues[0]?.message ?? 'Required.';
    else end = parsedEnd.data;
  }
  if (data.reference_period_start && end && end < data.reference_period_start) {
    errors.reference_period_end = 'Must be on or after the start date.';
  }
  if (data.value !== undefined && data.value_low !== undefined && data.value_low !== null && data.value_low > data.value) {
    errors.value_low = 'Must not be more than the value.';
  }
  if (data.value !== undefined && data.value_high !== undefined && data.value_high !== null && data.value_high < data.value) {
    errors.value_high = 'Must not be less than the value.';
  }
  if (data.verification === 'claimed' && !data.claimed_by && !errors.claimed_by) {
    errors.claimed_by = 'Required when the figure is a claim: name the party that claims it.';
  }

  let sourceId: number | null = null;
  let newSource: NewSource | null = null;
  const sourceChoice = (values.source_id ?? '').trim();
  if (sourceChoice === 'new') {
    const prefixed = Object.fromEntries(Object.keys(sourceShape).map((k) => [k, values[`new_source_${k}`] ?? '']));
    const source = parseFields(sourceShape, prefixed);
    for (const [k, message] of Object.entries(source.errors)) errors[`new_source_${k}`] = message;
    if (Object.keys(source.errors).length === 0) newSource = source.data as NewSource;
  } else if (/^[1-9]\d{0,14}$/.test(sourceChoice)) {
    sourceId = Number(sourceChoice);
  } else {
    errors.source_id = 'Choose a source, or "New source" and describe it below.';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  const d = data as Required<typeof data>;
  return {
    ok: true,
    values,
    data: {
      newSource,
      fields: {
        indicator_id: d.indicator_id,
        location_id: d.location_id,
        reference_period_start: d.reference_period_start,
        reference_period_end: end ?? d.reference_period_start,
        value: d.value,
        value_low: d.value_low,
        value_high: d.value_high,
        qualifier: d.qualifier,
        verification: d.verification,
        reported_by: d.reported_by,
        claimed_by: d.claimed_by,
        source_id: sourceId,
        source_quote: d.source_quote,
        notes: d.notes,
      },
    },
  };
}

export function parseSourceForm(body: unknown): FormResult<NewSource> {
  const values = formValues(body);
  const { data, errors } = parseFields(sourceShape, values);
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return { ok: true, values, data: data as NewSource };
}

const indicatorShape = {
  code: z.string().trim().regex(/^[a-z0-9_]{2,64}$/, 'Lower-case letters, digits and underscores, 2 to 64 characters.'),
  name: required(200),
  description: optional(2000),
  unit: z.string().trim().regex(/^[a-z0-9_]{1,32}$/, 'Lower-case letters, digits and underscores, e.g. people or usd.'),
  aggregation: z.enum(AGGREGATIONS, 'Choose flow or level.'),
  hxl_hashtag: z
    .string()
    .trim()
    .regex(/^#[a-z][a-z0-9_+#]*$/, 'An HXL hashtag such as #affected+killed.')
    .max(200, 'At most 200 characters.'),
};

export function parseIndicatorForm(body: unknown) {
  const values = formValues(body);
  const { data, errors } = parseFields(indicatorShape, values);
  if (Object.keys(errors).length > 0) return { ok: false as const, errors, values };
  return { ok: true as const, values, data: data as Required<typeof data> };
}

const locationShape = {
  code: z.string().trim().regex(/^[A-Za-z0-9_-]{2,32}$/, 'Letters, digits, hyphens or underscores, 2 to 32 characters (e.g. UKR, UA14, RU-BEL).'),
  name: required(200),
  admin_level: z.string().trim().regex(/^[0-5]$/, 'A whole number from 0 (country) to 5.').transform(Number),
  parent_id: z
    .string()
    .trim()
    .refine((s) => s === '' || /^[1-9]\d{0,14}$/.test(s), 'Choose a place.')
    .transform((s) => (s === '' ? null : Number(s))),
};

export function parseLocationForm(body: unknown) {
  const values = formValues(body);
  const { data, errors } = parseFields(locationShape, values);
  if (data.admin_level !== undefined && data.parent_id !== undefined && !errors.parent_id) {
    if (data.admin_level === 0 && data.parent_id !== null) errors.parent_id = 'A country (level 0) has no parent.';
    if (data.admin_level > 0 && data.parent_id === null) errors.parent_id = 'Required below level 0: the place this one belongs to.';
  }
  if (Object.keys(errors).length > 0) return { ok: false as const, errors, values };
  return { ok: true as const, values, data: data as Required<typeof data> };
}

export function requiredReason(body: unknown, field: string): string | null {
  const value = formValues(body)[field]?.trim() ?? '';
  return value.length >= 1 && value.length <= 2000 ? value : null;
}
