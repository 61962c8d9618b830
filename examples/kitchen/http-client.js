// A synchronous HTTP client for fiber code: a thin wrapper over fetch that waits for it.
const { wait } = require('fiberscope');

class HttpError extends Error {
  constructor(method, url, status, body) {
    super(`${method} ${url} answered ${status}: ${body.error ?? JSON.stringify(body)}`);
    this.name = 'HttpError';
    this.status = status;
    this.body = body;
  }
}

/** The async request under it: JSON in, JSON out, an HttpError for a status >= 400. */
async function request(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text === '' ? {} : JSON.parse(text);
  if (response.status >= 400) throw new HttpError(method, url, response.status, json);
  return json;
}

module.exports = {
  HttpError,
  request,
  /** Inside a fiber: GET `url`, returns the parsed JSON body. */
  get: (url) => wait(request('GET', url)),
  /** Inside a fiber: POST `body` as JSON to `url`, returns the parsed JSON body. */
  post: (url, body) => wait(request('POST', url, body)),
};
