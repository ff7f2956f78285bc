// Renders /openapi.json with Redoc (vendored beside this file by
// scripts/vendor-web). Everything, fonts included, comes from the gateway.
(function () {
  "use strict";
  var el = document.getElementById("redoc");
  Redoc.init("/openapi.json", {
    hideDownloadButton: false,
    expandResponses: "200,201",
    jsonSampleExpandLevel: 3,
    pathInMiddlePanel: true,
    sortTagsAlphabetically: false,
    theme: { typography: { fontFamily: "system-ui, sans-serif", headings: { fontFamily: "system-ui, sans-serif" } } }
  }, el, function (err) {
    if (err) {
      el.textContent = "The API document could not be shown: " + err;
    }
  });
})();
