// Owns the API's error answers: an HttpError carries a status, a stable machine-readable code and
// a human reason; every error response is the JSON {"error": code, "message": reason, "status"}.

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. Allow for 405. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, 'bad_request', message);

export function errorBody(status: number, code: string, message: string): string {
  return JSON.stringify({ error: code, message, status });
}
