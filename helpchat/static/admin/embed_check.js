// Settings page: checks each allowed website's home page for the embed code, through the
// server (a browser may not read another site's page), one site at a time.
(function () {
  "use strict";

  var items = Array.prototype.slice.call(document.querySelectorAll("[data-embed-check]"));

  function check(index) {
    var item = items[index];
    if (!item) return;
    var status = item.querySelector(".embed-status");
    var origin = item.getAttribute("data-embed-check");
    fetch("/admin/settings/embed-check?origin=" + encodeURIComponent(origin),
      { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (result) {
        status.textContent = result.text;
        item.setAttribute("data-status", result.status);
      })
      .catch(function () {
        item.setAttribute("data-status", "unreachable");
        status.textContent = status.getAttribute("data-failed") || status.textContent;
      })
      .then(function () { check(index + 1); });
  }

  check(0);
})();
