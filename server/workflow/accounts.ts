/**
 * Changes to accounts and sign-ins that the audit log records: each writes
 * the change and its audit entry in one transaction. Routes call these and
 * never write an audit entry themselves.
 */
import type { Queries } from '../../db';
import type { Role } from '../../db/queries/users';
import type { Actor } from '../domain/figure';
import { WorkflowError } from './errors';

/** Refuses a change that would leave no active admin. */
function keepAnAdmin(q: Queries, userId: number): void {
  const user = q.users.getById(userId);
  if (user?.role === 'admin' && !user.disabled_at && q.users.countActiveAdmins() <= 1) {
    throw new WorkflowError(409, 'This is the only active admin: make someone else an admin first.');
  }
}

function load(q: Queries, userId: number) {
  const user = q.users.getById(userId);
  if (!user) throw new WorkflowError(404, `there is no user ${userId}`);
  return user;
}

export function setRole(q: Queries, actor: Actor, userId: number, role: Role): void {
  q.transaction(() => {
    const user = load(q, userId);
    if (role === user.role) return;
    if (role === 'editor') keepAnAdmin(q, user.id);
    q.users.setRole(user.id, role);
    q.audit.record({ userId: actor.id, action: 'change-role', entityType: 'user', entityId: user.id, details: { username: user.username, from: user.role, to: role } });
  });
}

export function disableUser(q: Queries, actor: Actor, userId: number): void {
  q.transaction(() => {
    const user = load(q, userId);
    if (user.id === actor.id) throw new WorkflowError(409, 'You cannot disable your own account.');
    keepAnAdmin(q, user.id);
    q.users.disable(user.id);
    q.audit.record({ userId: actor.id, action: 'disable', entityType: 'user', entityId: user.id, details: { username: user.username } });
  });
}

export function enableUser(q: Queries, actor: Actor, userId: number): void {
  q.transaction(() => {
    const user = load(q, userId);
    q.users.enable(user.id);
    q.audit.record({ userId: actor.id, action: 'enable', entityType: 'user', entityId: user.id, details: { username: user.username } });
  });
}

export function recordSignIn(q: Queries, userId: number): void {
  q.audit.record({ userId, action: 'login', entityType: 'session', entityId: null, details: null });
}

export function recordFailedSignIn(q: Queries, userId: number | null, username: string): void {
  q.audit.record({ userId, action: 'login-failed', entityType: 'session', entityId: null, details: { username } });
}

export function recordSignOut(q: Queries, userId: number): void {
  q.audit.record({ userId, action: 'logout', entityType: 'session', entityId: null, details: null });
}
