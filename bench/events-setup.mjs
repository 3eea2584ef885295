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
const lua = `
local users = { ${users.map((u) => `"${u}"`).join(',')} }
local bodies = {}
for i = 1, 64 do
  bodies[i] = nil
end
local payloads = { ${Array.from({ length: 16 }, () => `"{1,} ${b64(ct)} ${b64(12)}"`).join(',')} }
local n = 0
request = function()
  n = n + 1
  local user = users[(n % #users) + 1]
  local body = '{"accountId":"${accountId}","payload":"' .. payloads[(n % #payloads) + 1] .. '"}'
  return wrk.format("POST", nil, { ["Cookie"] = "consent=allow; user=" .. user,
    ["Content-Type"] = "text/plain;charset=UTF-8" }, body)
end
`;
writeFileSync(out, lua);
