/** The vocabularies and a figure's fields come from the domain module (server/domain/figure.ts). */
import type { Aggregation, FigureFields, FigureStatus } from '../server/domain/figure';

export {
  AGGREGATIONS, MEASURES, QUALIFIERS, STATUSES, VERIFICATIONS,
  type Aggregation, type FigureFields, type FigureStatus, type Measure, type Qualifier, type Verification,
} from '../server/domain/figure';

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
  /** Position in the change feed of the last change to what the figure's public row says; null while it never was public. */
  sync_seq: number | null;
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

