// PostGraphile v4 as the peer of bench/provider_referrals.py: one process, node's own http
// server, and, like the portal, the session looked up by its token on every request (one
// SELECT) before the GraphQL operation runs as that session's provider.
//   DATABASE_URL=postgres://... PORT=5000 node server.js
"use strict";
const http = require("http");
const crypto = require("crypto");
const { Pool } = require("pg");
const { postgraphile } = require("postgraphile");

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const SESSION = {
  name: "portal_session",
  text:
    "SELECT u.organisation_id FROM user_sessions s JOIN users u ON u.id = s.user_id " +
    "WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > CURRENT_TIMESTAMP",
};

async function pgSettings(req) {
  const header = req.headers.authorization || "";
  const token = header.startsWith("Bearer ") ? header.slice(7) : "";
  const hash = crypto.createHash("sha256").update(token).digest();
  const { rows } = await pool.query({ ...SESSION, values: [hash] });
  return { "portal.provider_id": rows.length ? rows[0].organisation_id : "" };
}

const middleware = postgraphile(pool, ["public", "peer"], {
  pgSettings,
  graphiql: false,
  disableQueryLog: true,
  dynamicJson: true,
  ignoreRBAC: true,
  setofFunctionsContainNulls: false,
  enableQueryBatching: false,
  retryOnInitFail: false,
});

http.createServer(middleware).listen(Number(process.env.PORT || 5000), "127.0.0.1");
