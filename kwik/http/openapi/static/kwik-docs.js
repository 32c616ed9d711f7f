// Starts Swagger UI on the docs page. A file rather than an inline script, so the page works
// under a Content-Security-Policy that allows only same-origin scripts.
//
// With several documents (one per API version), a selector above Swagger UI switches between
// them; the choice is kept in the page's address (`?document=v1`) so a link shows that version.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  var documents = JSON.parse(root.dataset.documents || "[]");
  var url = root.dataset.openapiUrl;
  var chosen = new URLSearchParams(window.location.search).get("document");
  documents.forEach(function (each) {
    if (each.name === chosen) url = each.url;
  });
  if (documents.length) {
    url = url === root.dataset.openapiUrl ? documents[0].url : url;
    var label = document.createElement("label");
    label.className = "kwik-document-selector";
    label.textContent = "API version ";
    var select = document.createElement("select");
    select.id = "kwik-document";
    documents.forEach(function (each) {
      var option = document.createElement("option");
      option.value = each.url;
      option.textContent = each.name;
      option.selected = each.url === url;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      var name = select.options[select.selectedIndex].textContent;
      var address = new URL(window.location.href);
      address.searchParams.set("document", name);
      window.history.replaceState(null, "", address.href);
      window.ui.specActions.updateUrl(select.value);
      window.ui.specActions.download(select.value);
    });
    label.appendChild(select);
    root.parentNode.insertBefore(label, root);
  }
  window.ui = SwaggerUIBundle({
    url: url,
    domNode: root,
    deepLinking: true,
    showExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    oauth2RedirectUrl: new URL(root.dataset.oauth2RedirectUrl, window.location.href).href,
  });
});
