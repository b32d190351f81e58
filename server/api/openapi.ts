import { CONTRACT_VERSION, EXPORT_COLUMNS, FEED_STATUSES, MEASURES, QUALIFIERS, VERIFICATIONS } from '../domain/figure';

const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'], minimum: 0 } as const;

const figureProperties: Record<(typeof EXPORT_COLUMNS)[number], object> = {
  figure_id: { type: 'integer', minimum: 1 },
  indicator_code: { type: 'string', examples: ['civilian_deaths'] },
  indicator_name: { type: 'string' },
  unit: { type: 'string', examples: ['people', 'usd'] },
  location_code: { type: 'string', examples: ['UKR', 'UA14', 'RU-BEL'] },
  location_name: { type: 'string' },
  admin_level: { type: 'integer', minimum: 0 },
  reference_period_start: { type: 'string', format: 'date', description: 'First day of the period, inclusive.' },
  reference_period_end: { type: 'string', format: 'date', description: 'Last day of the period, inclusive.' },
  value: { type: 'integer', minimum: 0, description: 'Best estimate; read it with its qualifier.' },
  value_low: { ...nullableInteger, description: 'Low end of a range the source gave.' },
  value_high: { ...nullableInteger, description: 'High end of a range the source gave.' },
  qualifier: { type: 'string', enum: [...QUALIFIERS], description: '"at least 24" is value 24 with qualifier at_least.' },
  verification: { type: 'string', enum: [...VERIFICATIONS] },
  reported_by: { type: 'string', description: 'The originator: the body that produced the number.' },
  claimed_by: { ...nullableString, description: 'The party asserting a claimed figure.' },
  source_title: { type: 'string' },
  source_publisher: { type: 'string' },
  source_url: { ...nullableString, format: 'uri' },
  source_published_on: { ...nullableString, format: 'date' },
  source_quote: { type: 'string', description: 'The verbatim words of the source that state the number.' },
  notes: nullableString,
  status: {
    type: 'string',
    enum: [...FEED_STATUSES],
    description: 'published for a current figure. retired (with updated_since, or as a tombstone of a since pull) and withdrawn (a since tombstone: no longer public, or no longer matching the filters) mean: drop the figure.',
  },
  updated_at: { type: 'string', format: 'date-time' },
  measure: {
    type: 'string',
    enum: [...MEASURES],
    description: 'running_total: counted since reference_period_start, as of reference_period_end. period_count: events inside the period. level: a state during the period. Never changes with a filter. (Contract version 2.)',
  },
  source_id: { type: 'integer', minimum: 1, description: 'The source document, as listed at /api/v1/sources. (Contract version 2.)' },
  version: { type: 'integer', minimum: 1, description: "The published row's revision number. (Contract version 2.)" },
  attributed_to: { ...nullableString, description: 'Who the source says carried out the act counted. (Contract version 3.)' },
  disputed_by: { ...nullableString, description: 'Who denies or contradicts it. (Contract version 3.)' },
};

const tombstoneProperties = {
  figure_id: { type: 'integer', minimum: 1 },
  status: { type: 'string', enum: ['retired', 'withdrawn'] },
  updated_at: { type: 'string', format: 'date-time' },
  version: { type: 'integer', minimum: 1 },
};

const syncToken = {
  name: 'since',
  in: 'query',
  description:
    'A Sync-Token from an earlier pull: only figures whose published row changed after it (renames of their indicator, place or source included), ' +
    'and a tombstone (status retired or withdrawn) for each that left the set. 400 for a malformed token, 410 for one from another database.',
  schema: { type: 'string' },
};

const listParameter = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  description: `${description} Repeat the parameter or separate values with commas.`,
  schema: { type: 'array', items: { type: 'string' } },
  style: 'form',
  explode: true,
});

const filterParameters = [
  listParameter('indicator', 'Indicator codes.'),
  listParameter('location', 'Location codes.'),
  { name: 'include_children', in: 'query', description: 'With 1, location also matches every place below it.', schema: { type: 'string', enum: ['0', '1'] } },
  { name: 'from', in: 'query', description: 'Figures whose reference period ends on or after this date.', schema: { type: 'string', format: 'date' } },
  { name: 'to', in: 'query', description: 'Figures whose reference period starts on or before this date.', schema: { type: 'string', format: 'date' } },
  listParameter('verification', `Verification levels (${VERIFICATIONS.join(', ')}).`),
  listParameter('originator', 'Originators (reported_by), exactly as written.'),
  { name: 'source', in: 'query', description: 'A source id from /api/v1/sources.', schema: { type: 'integer', minimum: 1 } },
  { name: 'measure', in: 'query', description: 'Only figures of this measure (running_total, period_count or level).', schema: { type: 'string', enum: ['running_total', 'period_count', 'level'] } },
  {
    name: 'updated_since',
    in: 'query',
    description:
      'Approximate, kept for compatibility: figures published or changed at or after this time (a date, or a date and time with Z or an offset), and figures retired since then. ' +
      'It misses figures that left the public set another way; use since for an exact mirror.',
    schema: { type: 'string', format: 'date-time' },
  },
];

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const cacheHeaders = {
  ETag: { description: 'Changes whenever published data changes. Send it back in If-None-Match (If-Modified-Since is not used: a second is too coarse).', schema: { type: 'string' } },
  'Last-Modified': { schema: { type: 'string' } },
  'Sync-Token': { description: 'The change-feed position every row of this pull is as of: pass it as since in the next pull. The same on every page of a paged pull.', schema: { type: 'string' } },
  'Tally-Contract-Version': { description: 'The version of the column contract.', schema: { type: 'string' } },
  Link: { description: 'rel="next": the next page of a paged pull.', schema: { type: 'string' } },
};

/** OpenAPI 3.1 description of the public read API and the CSV export. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Tally API',
    version: `${CONTRACT_VERSION}.0.0`,
    description:
      `Column contract version ${CONTRACT_VERSION}. Published casualty and humanitarian figures, each with its measure, qualifier, range, verification, originator and source. ` +
      'Drafts never appear. Responses carry ETag and a Sync-Token; send If-None-Match to get 304 when nothing changed, and since=<Sync-Token> to get only what changed.',
    'x-contract-version': CONTRACT_VERSION,
  },
  servers: [{ url: '/' }],
  paths: {
    '/api/v1/figures': {
      get: {
        summary: 'Published figures, in figure_id order, one page at a time',
        parameters: [
          ...filterParameters,
          syncToken,
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 } },
          { name: 'cursor', in: 'query', description: 'next_cursor from the previous page (it keeps the pull at one position).', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'A page of figures.',
            headers: cacheHeaders,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/FigurePage' } } },
          },
          '304': { description: 'Not modified since the ETag given in If-None-Match.' },
          '400': errorResponse('A parameter or value is not understood; the message names it.'),
          '410': errorResponse('The since token or cursor comes from another database: pull in full again.'),
        },
      },
    },
    '/api/v1/figures/{id}': {
      get: {
        summary: 'One published or retired figure',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
        responses: {
          '200': {
            description: 'The figure.',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['data'], properties: { data: { $ref: '#/components/schemas/Figure' } } },
              },
            },
          },
          '400': errorResponse('The id is not a positive whole number.'),
          '404': errorResponse('No such published figure.'),
        },
      },
    },
    '/api/v1/indicators': {
      get: {
        summary: 'What is counted',
        responses: { '200': { description: 'Every indicator.', content: { 'application/json': { schema: { $ref: '#/components/schemas/IndicatorList' } } } } },
      },
    },
    '/api/v1/locations': {
      get: {
        summary: 'Places, each with its parent',
        responses: { '200': { description: 'Every location.', content: { 'application/json': { schema: { $ref: '#/components/schemas/LocationList' } } } } },
      },
    },
    '/api/v1/sources': {
      get: {
        summary: 'Source documents, in id order, one page at a time',
        description:
          'A source is listed once a published figure has cited it (a retired figure keeps its source listed). ' +
          'Pages follow meta.next_cursor (or the Link rel="next" header) until it is null; new sources come last.',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 500 } },
          { name: 'cursor', in: 'query', description: 'next_cursor from the previous page.', schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'A page of the sources a published figure has cited.', headers: { Link: cacheHeaders.Link }, content: { 'application/json': { schema: { $ref: '#/components/schemas/SourceList' } } } },
          '400': errorResponse('A parameter or value is not understood; the message names it.'),
        },
      },
    },
    '/export/figures.csv': {
      get: {
        summary: 'Published figures as CSV (RFC 4180, UTF-8, CRLF), streamed',
        parameters: [
          ...filterParameters,
          { name: 'hxl', in: 'query', description: 'With 1, an HXL hashtag row follows the header.', schema: { type: 'string', enum: ['0', '1'] } },
          { name: 'bom', in: 'query', description: 'With 1, the file starts with a UTF-8 byte order mark.', schema: { type: 'string', enum: ['0', '1'] } },
          syncToken,
          { name: 'limit', in: 'query', description: 'Rows per page; without it the whole set streams in one response.', schema: { type: 'integer', minimum: 1, maximum: 10000 } },
          { name: 'cursor', in: 'query', description: 'From the Link rel="next" header of the previous page.', schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: `Columns: ${EXPORT_COLUMNS.join(', ')}.`, headers: cacheHeaders, content: { 'text/csv': { schema: { type: 'string' } } } },
          '304': { description: 'Not modified since the ETag given in If-None-Match.' },
          '400': { description: 'A plain-text message naming the parameter or value.', content: { 'text/plain': { schema: { type: 'string' } } } },
          '410': { description: 'The since token or cursor comes from another database: pull in full again.', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
  },
  components: {
    schemas: {
      Figure: { type: 'object', required: [...EXPORT_COLUMNS], properties: figureProperties },
      Tombstone: {
        type: 'object',
        description: 'A figure that left the set since the token: every other column is null. Drop the figure.',
        required: [...EXPORT_COLUMNS],
        properties: tombstoneProperties,
      },
      FigurePage: {
        type: 'object',
        required: ['data', 'meta'],
        properties: {
          data: { type: 'array', items: { oneOf: [{ $ref: '#/components/schemas/Figure' }, { $ref: '#/components/schemas/Tombstone' }] } },
          meta: {
            type: 'object',
            required: ['count', 'limit', 'next_cursor', 'sync_token', 'contract_version'],
            properties: {
              count: { type: 'integer' },
              limit: { type: 'integer' },
              next_cursor: nullableString,
              sync_token: { type: 'string', description: 'As the Sync-Token header.' },
              contract_version: { type: 'integer' },
            },
          },
        },
      },
      IndicatorList: {
        type: 'object',
        properties: {
          data: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                code: { type: 'string' },
                name: { type: 'string' },
                description: nullableString,
                unit: { type: 'string' },
                aggregation: { type: 'string', enum: ['flow', 'level'], description: 'Flows may be added over disjoint periods; levels never.' },
                hxl_hashtag: { type: 'string' },
              },
            },
          },
        },
      },
      LocationList: {
        type: 'object',
        properties: {
          data: {
            type: 'array',
            items: {
              type: 'object',
              properties: { code: { type: 'string' }, name: { type: 'string' }, admin_level: { type: 'integer' }, parent_code: nullableString },
            },
          },
        },
      },
      SourceList: {
        type: 'object',
        properties: {
          data: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'integer' },
                title: { type: 'string' },
                publisher: { type: 'string' },
                url: nullableString,
                published_on: nullableString,
                accessed_on: nullableString,
                notes: nullableString,
                published_figures: { type: 'integer' },
              },
            },
          },
          meta: {
            type: 'object',
            required: ['count', 'limit', 'next_cursor'],
            properties: { count: { type: 'integer' }, limit: { type: 'integer' }, next_cursor: { ...nullableString, description: 'Pass as cursor for the next page; null on the last.' } },
          },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: { type: 'object', required: ['status', 'message'], properties: { status: { type: 'integer' }, message: { type: 'string' } } },
        },
      },
    },
  },
};
