/**
 * Changes to what figures name: sources, indicators and places, each with its
 * audit entry in one transaction.
 *
 * An edit of an entry that a public figure names (its `public_since` is set,
 * by trigger, when a figure citing it is first published: migration 0009)
 * changes what published figures say, so it is not written: it becomes a
 * change for review, published by a second person under the same four-eyes
 * rule as a figure (domain `publishRefusal`). An edit of an entry no public
 * figure names changes nothing public and applies at once. Either way the
 * change is kept in catalogue_changes with its before and after, and in the
 * audit log. Publishing writes the entry; a change to a name a published row
 * carries moves every such row in the change feed in the same transaction
 * (by trigger, migration 0006), so a mirror sees each of them as changed.
 */
import type { Queries } from '../../db';
import type { CatalogueChangeRow, CatalogueKind } from '../../db/queries/catalogue-changes';
import type { NewIndicator } from '../../db/queries/indicators';
import type { NewLocation } from '../../db/queries/locations';
import type { NewSource } from '../../db/queries/sources';
import type { NewTopic } from '../../db/queries/topics';
import { publishRefusal, type Actor } from '../domain/figure';
import { WorkflowError } from './errors';

export type { CatalogueKind };

/** What an edit did: written at once, waiting for review, or nothing (the same values). */
export type EditOutcome = 'applied' | 'pending' | 'unchanged';

/** The fields of each kind of entry a change carries (codes never change). */
export const CATALOGUE_FIELDS = {
  source: ['title', 'publisher', 'url', 'published_on', 'accessed_on', 'notes'],
  indicator: ['name', 'description', 'unit', 'aggregation', 'hxl_hashtag'],
  location: ['name', 'admin_level', 'parent_id'],
} as const satisfies Record<CatalogueKind, readonly string[]>;

type SourceFields = NewSource;
type IndicatorFields = Omit<NewIndicator, 'code'>;
type LocationFields = Omit<NewLocation, 'code'>;
type FieldsOf<K extends CatalogueKind> = K extends 'source' ? SourceFields : K extends 'indicator' ? IndicatorFields : LocationFields;

const KIND_WORDS: Record<CatalogueKind, string> = { source: 'source', indicator: 'indicator', location: 'place' };

/** Indicators, places and topics are an admin's to change. */
function adminOnly(actor: Actor, what: string): void {
  if (actor.role !== 'admin') throw new WorkflowError(403, `Only an admin manages ${what}.`);
}

function pick(kind: CatalogueKind, row: object): Record<string, unknown> {
  const r = row as Record<string, unknown>;
  return Object.fromEntries(CATALOGUE_FIELDS[kind].map((f) => [f, r[f] ?? null]));
}

function sameFields(kind: CatalogueKind, a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return CATALOGUE_FIELDS[kind].every((f) => (a[f] ?? null) === (b[f] ?? null));
}

/** The entry's editable fields as they stand now. */
function current(q: Queries, kind: CatalogueKind, id: number): Record<string, unknown> {
  const row = kind === 'source' ? q.sources.getById(id) : kind === 'indicator' ? q.indicators.getById(id) : q.locations.getById(id);
  if (!row) throw new WorkflowError(404, `there is no ${KIND_WORDS[kind]} ${id}`);
  return pick(kind, row);
}

/** Whether a figure that is or was public names the entry: then an edit of it is reviewed. */
export function isPublicEntry(q: Queries, kind: CatalogueKind, id: number): boolean {
  const since = kind === 'source' ? q.sources.publicSince(id) : kind === 'indicator' ? q.indicators.publicSince(id) : q.locations.publicSince(id);
  return since !== null;
}

/** A place as people name it: "Kharkivska (UA63)". */
function placeName(q: Queries, id: unknown): string | null {
  if (typeof id !== 'number') return null;
  const l = q.locations.getById(id);
  return l ? `${l.name} (${l.code})` : `place ${id}`;
}

/** The fields with names for ids (a place's parent), for the audit log and review pages. */
export function named(q: Queries, kind: CatalogueKind, fields: Record<string, unknown>): Record<string, unknown> {
  if (kind !== 'location') return pick(kind, fields);
  const { parent_id, ...rest } = pick(kind, fields);
  return { ...rest, parent: placeName(q, parent_id) };
}

/** Refusals that hold whether the edit is written now or at publish: they say which field to fix. */
function checkEdit(q: Queries, kind: CatalogueKind, id: number, after: Record<string, unknown>): void {
  if (kind === 'source' && typeof after.url === 'string') {
    const other = q.sources.getByUrl(after.url);
    if (other && other.id !== id) throw new WorkflowError(400, 'Another source already has this address.', 'url');
  }
  if (kind === 'indicator' && q.indicators.getById(id)?.aggregation !== after.aggregation && q.indicators.isInUse(id)) {
    throw new WorkflowError(400, 'This indicator has figures: its aggregation stays, since it decides what every one of them measures.', 'aggregation');
  }
  if (kind === 'location' && after.parent_id !== null && !q.locations.getById(after.parent_id as number)) {
    throw new WorkflowError(400, 'Choose a place from the list.', 'parent_id');
  }
}

function write(q: Queries, kind: CatalogueKind, id: number, fields: Record<string, unknown>): void {
  if (kind === 'source') q.sources.update(id, fields as unknown as SourceFields);
  else if (kind === 'indicator') q.indicators.update(id, fields as unknown as IndicatorFields);
  else q.locations.update(id, fields as unknown as LocationFields);
}

/**
 * Saves an edit of an entry: written at once when no public figure names it,
 * else proposed for review (replacing the entry's open proposal, which then
 * awaits review again). Returns what happened.
 */
export function editEntry<K extends CatalogueKind>(q: Queries, actor: Actor, kind: K, id: number, fields: FieldsOf<K>): EditOutcome {
  return q.transaction(() => {
    if (kind !== 'source') adminOnly(actor, kind === 'indicator' ? 'indicators' : 'places');
    const before = current(q, kind, id);
    const after = pick(kind, fields);
    checkEdit(q, kind, id, after);
    const open = q.catalogueChanges.getOpen(kind, id);
    if (sameFields(kind, before, after)) {
      if (!open) return 'unchanged';
      // Edited back to what is public: the proposal has nothing left to review.
      q.catalogueChanges.decide(open.id, 'withdrawn', before, 'Edited back to the published values.', actor.id);
      q.audit.record({ userId: actor.id, action: 'withdraw', entityType: kind, entityId: id, details: { change: open.id } });
      return 'unchanged';
    }
    if (!isPublicEntry(q, kind, id)) {
      write(q, kind, id, after);
      const change = q.catalogueChanges.create(kind, id, 'applied', before, after, actor.id);
      q.audit.record({ userId: actor.id, action: 'edit', entityType: kind, entityId: id, details: { change, before: named(q, kind, before), after: named(q, kind, after) } });
      return 'applied';
    }
    let change: number;
    if (open) {
      q.catalogueChanges.repropose(open.id, before, after, actor.id);
      change = open.id;
    } else {
      change = q.catalogueChanges.create(kind, id, 'submitted', before, after, actor.id);
    }
    q.audit.record({ userId: actor.id, action: 'propose', entityType: kind, entityId: id, details: { change, before: named(q, kind, before), after: named(q, kind, after) } });
    return 'pending';
  });
}

function loadChange(q: Queries, changeId: number): CatalogueChangeRow {
  const change = q.catalogueChanges.getById(changeId);
  if (!change) throw new WorkflowError(404, `there is no change ${changeId}`);
  return change;
}

/**
 * Publishes a submitted change: the entry is written in this transaction and
 * every public figure naming it moves in the change feed (by trigger). Four
 * eyes, by the figures' rule: whoever made the last edit of the proposal
 * publishes it only by saying why (WorkflowError on field `reason`).
 */
export function publishChange(q: Queries, actor: Actor, changeId: number, reason: string | null): void {
  q.transaction(() => {
    const change = loadChange(q, changeId);
    if (change.status !== 'submitted') throw new WorkflowError(409, 'There is nothing submitted to publish in this change.');
    const refusal = publishRefusal(actor, change.updated_by, reason, 'changes to sources, indicators and places');
    if (refusal) throw new WorkflowError(actor.role === 'admin' ? 400 : 403, refusal, 'reason');
    const kind = change.entity_type;
    const before = current(q, kind, change.entity_id);
    const after = { ...before, ...pick(kind, change.after) };
    checkEdit(q, kind, change.entity_id, after);
    const self = change.updated_by === actor.id;
    const note = self ? `Published by the person who proposed it. Reason: ${reason ?? ''}` : reason;
    write(q, kind, change.entity_id, after);
    q.catalogueChanges.decide(change.id, 'published', before, note, actor.id);
    q.audit.record({
      userId: actor.id,
      action: 'publish',
      entityType: kind,
      entityId: change.entity_id,
      details: { change: change.id, before: named(q, kind, before), after: named(q, kind, after), self, note },
    });
  });
}

/** A reviewer returns a submitted change to whoever last edited it, with a comment kept in its history. */
export function sendBackChange(q: Queries, actor: Actor, changeId: number, comment: string): void {
  q.transaction(() => {
    if (actor.role !== 'admin') throw new WorkflowError(403, 'Only an admin reviews changes.');
    const change = loadChange(q, changeId);
    if (change.status !== 'submitted') throw new WorkflowError(409, 'There is nothing submitted to send back in this change.');
    q.catalogueChanges.sendBack(change.id, actor.id, comment);
    q.audit.record({ userId: actor.id, action: 'send_back', entityType: change.entity_type, entityId: change.entity_id, details: { change: change.id, comment } });
  });
}

/** Drops an open change (its proposer, or an admin); it stays in the entry's history. */
export function withdrawChange(q: Queries, actor: Actor, changeId: number, note: string | null = null): void {
  q.transaction(() => {
    const change = loadChange(q, changeId);
    if (change.status !== 'submitted' && change.status !== 'sent_back') throw new WorkflowError(409, 'This change is no longer open.');
    if (actor.role !== 'admin' && actor.role !== 'system' && actor.id !== change.proposed_by && actor.id !== change.updated_by) {
      throw new WorkflowError(403, 'Only whoever proposed this change, or an admin, withdraws it.');
    }
    q.catalogueChanges.decide(change.id, 'withdrawn', current(q, change.entity_type, change.entity_id), note, actor.id);
    q.audit.record({ userId: actor.id, action: 'withdraw', entityType: change.entity_type, entityId: change.entity_id, details: { change: change.id } });
  });
}

export function createSource(q: Queries, actor: Actor, source: NewSource): number {
  return q.transaction(() => {
    if (source.url && q.sources.getByUrl(source.url)) throw new WorkflowError(400, 'A source with this address already exists.', 'url');
    const id = q.sources.create(source, actor.id);
    q.audit.record({ userId: actor.id, action: 'create', entityType: 'source', entityId: id, details: { title: source.title } });
    return id;
  });
}

/** Saves a source: at once while no public figure cites it, else as a change for review. */
export function updateSource(q: Queries, actor: Actor, id: number, source: NewSource): EditOutcome {
  return editEntry(q, actor, 'source', id, source);
}

export function createIndicator(q: Queries, actor: Actor, indicator: NewIndicator): number {
  return q.transaction(() => {
    adminOnly(actor, 'indicators');
    if (q.indicators.getByCode(indicator.code)) throw new WorkflowError(400, 'An indicator with this code already exists.', 'code');
    const id = q.indicators.create(indicator);
    q.audit.record({ userId: actor.id, action: 'create', entityType: 'indicator', entityId: id, details: { ...indicator } });
    return id;
  });
}

/** Saves an indicator (its code never changes): at once while no public figure names it, else as a change for review. */
export function updateIndicator(q: Queries, actor: Actor, id: number, indicator: IndicatorFields): EditOutcome {
  return editEntry(q, actor, 'indicator', id, indicator);
}

export function removeIndicator(q: Queries, actor: Actor, id: number): void {
  q.transaction(() => {
    adminOnly(actor, 'indicators');
    const indicator = q.indicators.getById(id);
    if (!indicator) throw new WorkflowError(404, `there is no indicator ${id}`);
    if (q.indicators.isInUse(id)) {
      throw new WorkflowError(409, `Indicator ${indicator.code} is used by figures (or their history) and cannot be removed.`);
    }
    q.indicators.remove(id);
    q.audit.record({ userId: actor.id, action: 'remove', entityType: 'indicator', entityId: id, details: { ...indicator } });
  });
}

export function createLocation(q: Queries, actor: Actor, location: NewLocation): number {
  return q.transaction(() => {
    adminOnly(actor, 'places');
    if (q.locations.getByCode(location.code)) throw new WorkflowError(400, 'A place with this code already exists.', 'code');
    const id = q.locations.create(location);
    q.audit.record({ userId: actor.id, action: 'create', entityType: 'location', entityId: id, details: { ...location } });
    return id;
  });
}

/** Saves a place (its code never changes): at once while no public figure names it, else as a change for review. */
export function updateLocation(q: Queries, actor: Actor, id: number, location: LocationFields): EditOutcome {
  return editEntry(q, actor, 'location', id, location);
}

export function removeLocation(q: Queries, actor: Actor, id: number): void {
  q.transaction(() => {
    adminOnly(actor, 'places');
    const location = q.locations.getById(id);
    if (!location) throw new WorkflowError(404, `there is no place ${id}`);
    if (q.locations.isInUse(id)) {
      throw new WorkflowError(409, `Place ${location.code} is used by figures (or their history, or as a parent) and cannot be removed.`);
    }
    q.locations.remove(id);
    q.audit.record({ userId: actor.id, action: 'remove', entityType: 'location', entityId: id, details: { ...location } });
  });
}

export function createTopic(q: Queries, actor: Actor, topic: NewTopic): number {
  return q.transaction(() => {
    adminOnly(actor, 'topics');
    if (q.topics.getBySlug(topic.slug)) throw new WorkflowError(400, 'A topic with this address already exists.', 'slug');
    const id = q.topics.create(topic, actor.id);
    q.audit.record({ userId: actor.id, action: 'create', entityType: 'topic', entityId: id, details: { ...topic } });
    return id;
  });
}

export function updateTopic(q: Queries, actor: Actor, id: number, topic: NewTopic): void {
  q.transaction(() => {
    adminOnly(actor, 'topics');
    const before = q.topics.getById(id);
    if (!before) throw new WorkflowError(404, `there is no topic ${id}`);
    const other = q.topics.getBySlug(topic.slug);
    if (other && other.id !== id) throw new WorkflowError(400, 'Another topic already has this address.', 'slug');
    q.topics.update(id, topic);
    q.audit.record({ userId: actor.id, action: 'edit', entityType: 'topic', entityId: id, details: { before, after: topic } });
  });
}
