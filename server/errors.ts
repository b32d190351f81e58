/** An error with an HTTP status whose message is safe to show to the user. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message?: string,
  ) {
    super(message ?? defaultMessage(status));
    this.name = 'HttpError';
  }
}

function defaultMessage(status: number): string {
  switch (status) {
    case 400:
      return 'The request could not be understood.';
    case 403:
      return 'You are not allowed to do that.';
    case 404:
      return 'There is nothing at this address.';
    case 413:
      return 'The request is too large.';
    case 429:
      return 'Too many requests: wait a moment and try again.';
    default:
      return 'Something went wrong on our side.';
  }
}
