import { HttpError } from '../errors';

/**
 * A workflow step refused: the message says what to do instead. `field`
 * names the form field it belongs beside, when there is one.
 */
export class WorkflowError extends HttpError {
  constructor(
    status: number,
    message: string,
    readonly field?: string,
  ) {
    super(status, message);
    this.name = 'WorkflowError';
  }
}
