// fetchjson.js -- one request to Candor's own API (same origin, cookies
// included), for the operators' app (app/api.js) and the vault
// (vault/api.js).
//
// fetchJson(method, path, body, init) sends body as JSON when it is not
// undefined, with any further fetch options in init, and resolves to
// { res, text, data }: data is the parsed answer, or null for an empty or
// non-JSON body. It does not throw for an HTTP status; the caller decides.
export async function fetchJson(method, path, body, init = {}) {
  const req = { ...init, method, credentials: 'same-origin' };
  if (body !== undefined) {
    req.headers = { 'Content-Type': 'application/json' };
    req.body = JSON.stringify(body);
  }
  const res = await fetch(path, req);
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
  }
  return { res, text, data };
}
