// GraphiQL for the placement portal: queries and mutations over POST /graphql (the session
// cookie goes with them, and X-Requested-With passes the portal's CSRF rule), subscriptions
// over WebSocket (graphql-transport-ws) on the same origin, which carries the cookie too.
(function () {
  "use strict";
  var http = new URL("/graphql", window.location.href);
  var ws = new URL("/graphql", window.location.href);
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({
    url: http.href,
    subscriptionUrl: ws.href,
    headers: { "X-Requested-With": "GraphiQL" },
  });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
    })
  );
})();
