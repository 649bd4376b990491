// A subscriber as an integrator's Node service writes one: the `graphql-ws` client from npm.
// Usage: node --experimental-websocket graphql_ws_subscriber.mjs <ws-url> <query>
// Credentials from the environment: PORTAL_TOKEN goes in connection_init's payload
// ({authorization: "Bearer ..."}); PORTAL_COOKIE goes on the handshake as a Cookie header.
// Prints one JSON line per event: {"event": "connected"}, {"event": "next", "payload": ...},
// {"event": "error", ...} or {"event": "closed", "code": ...}.
import { createClient } from "graphql-ws";

const [url, query] = process.argv.slice(2);
const token = process.env.PORTAL_TOKEN;
const cookie = process.env.PORTAL_COOKIE;
const say = (message) => process.stdout.write(JSON.stringify(message) + "\n");

class CookieWebSocket extends WebSocket {
  constructor(address, protocols) {
    super(address, cookie ? { protocols, headers: { Cookie: cookie } } : protocols);
  }
}

const client = createClient({
  url,
  webSocketImpl: CookieWebSocket,
  connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  retryAttempts: 0,
  lazy: false,
  on: {
    connected: () => say({ event: "connected" }),
    closed: (event) => {
      say({ event: "closed", code: event.code, reason: event.reason });
      process.exit(0);
    },
  },
});

client.subscribe(
  { query },
  {
    next: (payload) => say({ event: "next", payload }),
    error: (error) => say({ event: "error", error: String(error?.message ?? error) }),
    complete: () => say({ event: "complete" }),
  },
);
