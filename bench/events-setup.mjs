// events-setup.mjs -- prepare the event benchmark: an account, visitors
// with registered secrets, and a wrk Lua script that cycles through them.
//   node bench/events-setup.mjs URL VISITORS PAYLOAD_BYTES OUT.lua
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const [url, nVisitors, payloadBytes, out] = process.argv.slice(2);
const post = (path, body, headers = {}) =>
  fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body), headers });

let res = await post('/api/setup', { accountName: 'Bench', emailAddress: 'bench@example.com', password: 'bench password' });
if (res.status !== 204) throw new Error(`setup: ${res.status}`);
res = await post('/api/login', { username: 'bench@example.com', password: 'bench password' });
const accountId = (await res.json()).accounts[0].accountId;

const b64 = (n) => randomBytes(n).toString('base64');
// Visitors register in parallel (each exchange is throttled per visitor,
// not globally); 32 in flight keep the server busy without queueing.
const users = new Array(Number(nVisitors));
let next = 0;
async function register() {
  while (next < users.length) {
    const i = next++;
    const user = randomUUID();
    const r = await post('/api/exchange', { accountId, encryptedSecret: `{1,} ${b64(512)}` }, { cookie: `user=${user}` });
    if (r.status !== 204) throw new Error(`exchange: ${r.status}`);
    users[i] = user;
  }
}
await Promise.all(Array.from({ length: 32 }, register));
// A realistic ciphertext: "{1,} base64(ct+tag) base64(12-byte nonce)".
const ct = Math.max(16, Math.floor((Number(payloadBytes) - 22) * 3 / 4));
// Every payload has the same length, so every request is the same head
// with the visitor's cookie in it and one of the bodies: request() joins
// four strings rather than formatting headers (wrk runs on the same cores
// as the server, so its own cost per request is kept low).
const payloads = Array.from({ length: 16 }, () => `{1,} ${b64(ct)} ${b64(12)}`);
const bodies = payloads.map((p) => JSON.stringify({ accountId, payload: p }));
if (new Set(bodies.map((b) => b.length)).size !== 1) throw new Error('bodies differ in length');
const host = new URL(url).host;
const lua = `
local users = { ${users.map((u) => `"${u}"`).join(',')} }
local bodies = { ${bodies.map((b) => JSON.stringify(b)).join(',')} }
local head = "POST /api/events HTTP/1.1\\r\\nHost: ${host}\\r\\n" ..
  "Content-Type: text/plain;charset=UTF-8\\r\\n" ..
  "Content-Length: ${bodies[0].length}\\r\\nCookie: consent=allow; user="
local n = 0
request = function()
  n = n + 1
  return head .. users[(n % #users) + 1] .. "\\r\\n\\r\\n" .. bodies[(n % #bodies) + 1]
end
`;
writeFileSync(out, lua);
