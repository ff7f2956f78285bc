// Starts GraphiQL against this gateway's /graphql. The first text explains
// how to sign in, then offers a query that returns the demo data.
(function () {
  var defaultQuery = [
    "# Welcome to the FX gateway.",
    "#",
    "# 1. Sign in. On the embedded default (make run) the demo ADMIN is \"admin\";",
    "#    its password is in data/admin-password.txt. Run the Login operation.",
    "# 2. In Headers below, paste: {\"Authorization\": \"Bearer <accessToken>\"}",
    "#    (kept in this browser for your next visit)",
    "# 3. Run the Rates operation.",
    "",
    "mutation Login {",
    "  login(input: {login: \"admin\", password: \"paste the password here\"}) {",
    "    accessToken",
    "    scopes",
    "  }",
    "}",
    "",
    "query Rates {",
    "  currencies(first: 5) {",
    "    totalCount",
    "    edges { node { code name sign } }",
    "  }",
    "  convert(from: \"GBP\", to: \"JPY\", amount: \"100\") {",
    "    rate convertedAmount path via { code }",
    "  }",
    "}",
    "",
    "# 4. Run LiveRates: it follows the rates over a websocket, with the token",
    "#    of the Headers pane. Keep a cursor to resume with rateChanged(after:).",
    "subscription LiveRates {",
    "  rateChanged(base: \"USD\", includeCurrent: true) {",
    "    pair rate previousRate sequence snapshot cursor",
    "  }",
    "}",
    ""
  ].join("\n");
  // Subscriptions go over a websocket (graphql-transport-ws) to the same
  // /graphql; the Headers pane's headers are its connection_init payload,
  // so its Authorization signs the socket in.
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  var fetcher = GraphiQL.createFetcher({
    url: window.location.origin + "/graphql",
    subscriptionUrl: scheme + window.location.host + "/graphql"
  });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    // GraphiQL 3: the Headers pane starts open, and the headers are kept in
    // localStorage across reloads.
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: true
    })
  );
})();
