// Starts GraphiQL against this gateway's /graphql, with a first query that
// returns the demo data of the embedded default.
(function () {
  var defaultQuery = [
    "# Welcome to the FX gateway. Run this with the ▶ button (or Ctrl-Enter).",
    "{",
    "  currencies(first: 5) {",
    "    totalCount",
    "    edges { node { code name sign } }",
    "  }",
    "  convert(from: \"GBP\", to: \"JPY\", amount: \"100\") {",
    "    rate convertedAmount path via { code }",
    "  }",
    "}",
    ""
  ].join("\n");
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, defaultEditorToolbarOpen: true })
  );
})();
