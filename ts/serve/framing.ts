// Owns the request-framing checks uWebSockets.js leaves to the application (RFC 9112 §6.3): a
// request with more than one Content-Length or Transfer-Encoding header, or a Transfer-Encoding
// other than "chunked", is ambiguous to a proxy in front (request smuggling) and gets a 400.
// uWS's own parser already answers Content-Length together with Transfer-Encoding with a 400 and
// takes the first of several Content-Length headers, which is why the headers are counted here.
// Only requests that declare a body pay for the scan.

import type { HttpRequest } from './uws.js';

/** What is wrong with the request's framing, or '' when nothing is. */
export function framingProblem(req: HttpRequest): string {
  let lengths = 0;
  let encodings = 0;
  let encoding = '';
  req.forEach((name, value) => {
    if (name === 'content-length') lengths++;
    else if (name === 'transfer-encoding') {
      encodings++;
      encoding = value;
    }
  });
  if (lengths > 1) return `the request has ${lengths} Content-Length headers; send exactly one`;
  if (encodings > 1) return `the request has ${encodings} Transfer-Encoding headers; send at most one`;
  if (encodings === 1 && encoding.trim().toLowerCase() !== 'chunked') return `Transfer-Encoding "${encoding.slice(0, 40)}" is not supported; only chunked is`;
  return '';
}
