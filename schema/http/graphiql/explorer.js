// GraphiQL for the placement portal: queries and mutations over POST /graphql (the session
// cookie goes with them, and X-Requested-With passes the portal's CSRF rule), subscriptions
// over WebSocket (graphql-transport-ws) on the same origin, which carries the cookie too.
(function () {
  "use strict";
  var http = new URL("/graphql", window.location.href);
  var ws = new URL("/graphql", window.location.href);
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
  var toolkit = GraphiQL.createFetcher({
    url: http.href,
    subscriptionUrl: ws.href,
    headers: { "X-Requested-With": "GraphiQL" },
  });
  // GraphiQL tells the fetcher whether an operation is a subscription from the editor's
  // parsed document, which lags the text by a debounce: an operation run right after an
  // edit would go over HTTP. Decide from the query actually sent instead.
  function fetcher(params, options) {
    var documentAST = options && options.documentAST;
    try {
      documentAST = GraphiQL.GraphQL.parse(params.query);
    } catch (error) {
      // a syntax error: the server reports it
    }
    return toolkit(params, Object.assign({}, options, { documentAST: documentAST }));
  }
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
    })
  );
})();
