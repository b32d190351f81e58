import { z } from 'zod';
import type { NewSource } from '../../db/queries/sources';
import {
  AGGREGATIONS, TEXT_LIMITS, httpUrlText, optionalDateText, optionalText, parseFigureFields, requiredText,
  type Aggregation, type FieldErrors, type FigureFields,
} from '../domain/figure';

/** What a form sent, as strings (the values re-shown when it comes back). */
export type FormValues = Record<string, string>;
export type { FieldErrors };

export type FormResult<T> = { ok: true; data: T; values: FormValues } | { ok: false; errors: FieldErrors; values: FormValues };

/** Every field of an urlencoded body as a string; a repeated field keeps its last value. */
export function formValues(body: unknown): FormValues {
  // No prototype: a field named `constructor` or `__proto__` is just a field, and no lookup finds an inherited one.
  const out: FormValues = Object.create(null) as FormValues;
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

const required = requiredText;
const optional = optionalText;

export const PERIOD_KINDS = ['day', 'range', 'since'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

const sourceShape = {
  title: required(TEXT_LIMITS.source_title),
  publisher: required(TEXT_LIMITS.source_publisher),
  url: httpUrlText,
  published_on: optionalDateText,
  accessed_on: optionalDateText,
  notes: optional(TEXT_LIMITS.source_notes),
};

export interface FigureForm {
  fields: FigureFields;
  /** A source to create with the figure, when "new source" was chosen. */
  newSource: NewSource | null;
}

/**
 * The figure form, parsed with the domain's one schema: every field's error
 * at once, keyed by its field. "One day" uses the start date as the end. The
 * indicator's aggregation, when known, limits the measure.
 */
export function parseFigureForm(
  body: unknown,
  indicatorOf: (indicatorId: number) => { aggregation: Aggregation; unit: string } | undefined = () => undefined,
): FormResult<FigureForm> {
  const values = formValues(body);
  const periodKind = z.enum(PERIOD_KINDS).safeParse(values.period_kind ?? '');
  const errors: FieldErrors = {};
  if (!periodKind.success) errors.period_kind = 'Choose one day, a range or since a date.';
  const input: Record<string, string> = { ...values };
  if (periodKind.success && periodKind.data === 'day') input.reference_period_end = values.reference_period_start ?? '';

  const sourceChoice = (values.source_id ?? '').trim();
  const newSourceChosen = sourceChoice === 'new';
  const indicatorId = /^[1-9]\d{0,14}$/.test(values.indicator_id ?? '') ? Number(values.indicator_id) : null;
  const indicator = indicatorId === null ? undefined : indicatorOf(indicatorId);
  const parsed = parseFigureFields(input, {
    aggregation: indicator?.aggregation,
    unit: indicator?.unit,
    skip: newSourceChosen ? ['source_id'] : [],
  });
  if (!parsed.ok) Object.assign(errors, parsed.errors);
  if (errors.source_id) errors.source_id = 'Choose a source, or "New source" and describe it below.';
  // "One day" has no end field of its own: its errors belong to the start date.
  if (periodKind.success && periodKind.data === 'day') delete errors.reference_period_end;

  let newSource: NewSource | null = null;
  if (newSourceChosen) {
    const prefixed = Object.fromEntries(Object.keys(sourceShape).map((k) => [k, values[`new_source_${k}`] ?? '']));
    const source = parseFields(sourceShape, prefixed);
    for (const [k, message] of Object.entries(source.errors)) errors[`new_source_${k}`] = message;
    if (Object.keys(source.errors).length === 0) newSource = source.data as NewSource;
  }

  if (Object.keys(errors).length > 0 || !parsed.ok) return { ok: false, errors, values };
  return { ok: true, values, data: { newSource, fields: { ...parsed.fields, source_id: newSourceChosen ? 0 : parsed.fields.source_id } } };
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

/** A list of codes typed comma- or space-separated. */
const codeList = z
  .string()
  .trim()
  .transform((s) => [...new Set(s.split(/[\s,]+/).filter((c) => c !== ''))]);

const topicShape = {
  slug: z.string().trim().regex(/^[a-z0-9-]{2,80}$/, 'Lower-case letters, digits and hyphens, 2 to 80 characters: the page is /topics/<slug>.'),
  title: required(200),
  summary: required(2000),
  indicators: codeList.refine((l) => l.length > 0, 'Name at least one indicator code.'),
  related: codeList,
  location: codeList,
  from: optionalDateText,
  to: optionalDateText,
};

export interface TopicForm {
  slug: string;
  title: string;
  summary: string;
  indicators: string[];
  related: string[];
  filters: { location?: string[]; from?: string; to?: string };
}

/** The topic form: codes are checked against the catalogue, every error beside its field. */
export function parseTopicForm(body: unknown, known: { indicators: Set<string>; locations: Set<string> }): FormResult<TopicForm> {
  const values = formValues(body);
  const { data, errors } = parseFields(topicShape, values);
  const unknown = (list: string[] | undefined, set: Set<string>): string[] => (list ?? []).filter((c) => !set.has(c));
  for (const field of ['indicators', 'related'] as const) {
    const bad = unknown(data[field], known.indicators);
    if (bad.length > 0 && !errors[field]) errors[field] = `Unknown indicator code(s): ${bad.join(', ')}.`;
  }
  const badPlaces = unknown(data.location, known.locations);
  if (badPlaces.length > 0 && !errors.location) errors.location = `Unknown place code(s): ${badPlaces.join(', ')}.`;
  if (data.from && data.to && data.to < data.from && !errors.to) errors.to = `Must be on or after ${data.from}.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  const d = data as Required<typeof data>;
  const filters: TopicForm['filters'] = {};
  if (d.location.length > 0) filters.location = d.location;
  if (d.from) filters.from = d.from;
  if (d.to) filters.to = d.to;
  return { ok: true, values, data: { slug: d.slug, title: d.title, summary: d.summary, indicators: d.indicators, related: d.related, filters } };
}
