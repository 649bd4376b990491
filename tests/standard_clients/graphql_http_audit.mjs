// The GraphQL-over-HTTP audit suite (npm `graphql-http`) against a running `portal serve`.
// Usage: node graphql_http_audit.mjs <http-url-of-/graphql>
// PORTAL_TOKEN, when set, is sent as `Authorization: Bearer ...` with every request (the
// introspection audit needs a signed-in caller in production).
// Prints every audit; exits 1 when any MUST or SHOULD audit is not ok (error or warning).
import { auditServer } from "graphql-http";

const [url] = process.argv.slice(2);
const token = process.env.PORTAL_TOKEN;

function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn });
const counts = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] };
const failures = [];
for (const result of results) {
  const level = result.name.split(" ")[0];
  counts[level] = counts[level] || [0, 0];
  counts[level][1] += 1;
  if (result.status === "ok") counts[level][0] += 1;
  else if (level === "MUST" || level === "SHOULD") {
    let body = "";
    try {
      body = (await result.response.text()).slice(0, 300);
    } catch {}
    failures.push(`${result.status} ${result.id} ${result.name}: ${result.reason} ${body}`);
  }
  console.log(`${result.status.padEnd(6)} ${result.id} ${result.name}`);
}
for (const [level, [ok, all]] of Object.entries(counts)) {
  console.log(`${level}: ${ok}/${all} ok`);
}
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
