// api.js -- the operators' app talks to /api/ through this one function.
//
// request() sends JSON with the session cookie (same origin only) and
// resolves to the parsed answer (null for 204); a non-2xx answer rejects
// with an ApiError carrying the status and the server's message.

import { fetchJson } from '/common/fetchjson.js';

export class ApiError extends Error {
  constructor(status, message) {
    super(message || `request failed with status ${status}`);
    this.status = status;
  }
}

export async function request(method, path, body) {
  const { res, data } = await fetchJson(method, path, body);
  if (!res.ok) throw new ApiError(res.status, data && data.error);
  return data;
}
