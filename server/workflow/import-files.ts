import type { Queries } from '../../db';
import type { Actor } from '../domain/figure';
import type { HowRead } from '../import/file-decoding';

/** Keeps how an import file was read beside its staged batch, for the preview. */
export function recordHowRead(q: Queries, batchId: number, howRead: HowRead): void {
  q.importFiles.setReadAs(batchId, howRead);
}

/** An admin's choice to publish an import at once, with the reason, kept on the batch and in the audit log. */
export function recordPublishChoice(q: Queries, actor: Actor, batchId: number, reason: string): void {
  q.transaction(() => {
    q.importFiles.setPublishReason(batchId, reason);
    q.audit.record({ userId: actor.id, action: 'publish_at_once', entityType: 'import', entityId: batchId, details: { reason } });
  });
}
