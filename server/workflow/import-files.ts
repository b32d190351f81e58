import type { Queries } from '../../db';
import type { HowRead } from '../import/file-decoding';

/** Keeps how an import file was read beside its staged batch, for the preview. */
export function recordHowRead(q: Queries, batchId: number, howRead: HowRead): void {
  q.importFiles.setReadAs(batchId, howRead);
}
