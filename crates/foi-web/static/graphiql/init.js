// Starts GraphiQL on /graphql. An external file, not an inline script, so that the page's
// Content-Security-Policy can be `script-src 'self'`.
(function () {
  var element = document.getElementById('graphiql');
  var fetcher = GraphiQL.createFetcher({ url: element.dataset.endpoint || '/graphql' });
  var root = ReactDOM.createRoot(element);
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true }));
})();
