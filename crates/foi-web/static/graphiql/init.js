// Starts GraphiQL on /graphql. An external file, not an inline script, so that the page's
// Content-Security-Policy can be `script-src 'self'`.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true }));
})();
