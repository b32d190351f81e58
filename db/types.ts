/** The vocabularies of DESIGN.md, shared by the schema's CHECKs, validation and views. */
export const QUALIFIERS = ['exact', 'about', 'at_least', 'more_than', 'at_most', 'up_to'] as const;
export const VERIFICATIONS = ['verified', 'reported', 'claimed', 'disputed'] as const;
export const STATUSES = ['draft', 'published', 'retired'] as const;
export const AGGREGATIONS = ['flow', 'level'] as const;

export type Qualifier = (typeof QUALIFIERS)[number];
export type Verification = (typeof VERIFICATIONS)[number];
export type FigureStatus = (typeof STATUSES)[number];
export type Aggregation = (typeof AGGREGATIONS)[number];

export interface IndicatorRow {
  id: number;
  code: string;
  name: string;
  description: string | null;
  unit: string;
  aggregation: Aggregation;
  hxl_hashtag: string;
}

export interface LocationRow {
  id: number;
  code: string;
  name: string;
  admin_level: number;
  parent_id: number | null;
}

export interface SourceRow {
  id: number;
  title: string;
  publisher: string;
  url: string | null;
  published_on: string | null;
  accessed_on: string | null;
  notes: string | null;
}

/** What a figure states: the columns staff enter and edit; the rest of a row is workflow state. */
export interface FigureFields {
  indicator_id: number;
  location_id: number;
  reference_period_start: string;
  reference_period_end: string;
  value: number;
  value_low: number | null;
  value_high: number | null;
  qualifier: Qualifier;
  verification: Verification;
  reported_by: string;
  claimed_by: string | null;
  source_id: number;
  source_quote: string;
  notes: string | null;
}

/** The columns of the figures table as stored. */
export interface FigureRow extends FigureFields {
  id: number;
  status: FigureStatus;
  retired_reason: string | null;
  created_by: number | null;
  created_at: string;
  updated_by: number | null;
  updated_at: string;
  version: number;
}

/** What a figure's ids stand for: its indicator, place and source document, by name. */
export interface FigureNames {
  indicator_code: string;
  indicator_name: string;
  unit: string;
  aggregation: Aggregation;
  location_code: string;
  location_name: string;
  admin_level: number;
  source_title: string;
  source_publisher: string;
  source_url: string | null;
  source_published_on: string | null;
}

/** A figure joined with what it counts, where, and the document it came from. */
export interface FigureDetail extends FigureRow, FigureNames {}

export interface RevisionRow {
  id: number;
  figure_id: number;
  version: number;
  action: string;
  snapshot: string;
  note: string | null;
  user_id: number | null;
  username: string | null;
  created_at: string;
}
