/**
 * Changes to what figures name: sources, indicators and places, each with its
 * audit entry in one transaction. A change to a name a published row carries
 * (a source's title, an indicator's name, a place's name...) moves every such
 * row in the change feed in the same transaction (by trigger, migration 0006),
 * so a mirror sees each of them as changed.
 */
import type { Queries } from '../../db';
import type { NewIndicator } from '../../db/queries/indicators';
import type { NewLocation } from '../../db/queries/locations';
import type { NewSource } from '../../db/queries/sources';
import type { NewTopic } from '../../db/queries/topics';
import type { Actor } from '../domain/figure';
import { WorkflowError } from './errors';

/** Indicators, places and topics are an admin's to change. */
function adminOnly(actor: Actor, what: string): void {
  if (actor.role !== 'admin') throw new WorkflowError(403, `Only an admin manages ${what}.`);
}

export function createSource(q: Queries, actor: Actor, source: NewSource): number {
  return q.transaction(() => {
    if (source.url && q.sources.getByUrl(source.url)) throw new WorkflowError(400, 'A source with this address already exists.', 'url');
    const id = q.sources.create(source, actor.id);
    q.audit.record({ userId: actor.id, action: 'create', entityType: 'source', entityId: id, details: { title: source.title } });
    return id;
  });
}

/** Saves a source; the public rows naming it move in the change feed by trigger. */
export function updateSource(q: Queries, actor: Actor, id: number, source: NewSource): void {
  q.transaction(() => {
    const before = q.sources.getById(id);
    if (!before) throw new WorkflowError(404, `there is no source ${id}`);
    const other = source.url ? q.sources.getByUrl(source.url) : undefined;
    if (other && other.id !== id) throw new WorkflowError(400, 'Another source already has this address.', 'url');
    q.sources.update(id, source);
    q.audit.record({ userId: actor.id, action: 'edit', entityType: 'source', entityId: id, details: { before, after: source } });
  });
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

/** Saves an indicator (its code never changes). */
export function updateIndicator(q: Queries, actor: Actor, id: number, indicator: Omit<NewIndicator, 'code'>): void {
  q.transaction(() => {
    adminOnly(actor, 'indicators');
    const before = q.indicators.getById(id);
    if (!before) throw new WorkflowError(404, `there is no indicator ${id}`);
    if (before.aggregation !== indicator.aggregation && q.indicators.isInUse(id)) {
      throw new WorkflowError(400, 'This indicator has figures: its aggregation stays, since it decides what every one of them measures.', 'aggregation');
    }
    q.indicators.update(id, indicator);
    q.audit.record({ userId: actor.id, action: 'edit', entityType: 'indicator', entityId: id, details: { before, after: indicator } });
  });
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

/** Saves a place (its code never changes). */
export function updateLocation(q: Queries, actor: Actor, id: number, location: Omit<NewLocation, 'code'>): void {
  q.transaction(() => {
    adminOnly(actor, 'places');
    const before = q.locations.getById(id);
    if (!before) throw new WorkflowError(404, `there is no place ${id}`);
    q.locations.update(id, location);
    q.audit.record({ userId: actor.id, action: 'edit', entityType: 'location', entityId: id, details: { before, after: location } });
  });
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
