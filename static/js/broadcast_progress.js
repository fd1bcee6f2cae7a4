/* A broadcast's progress bar in the admin: ask the shop for the counts every few seconds while
   it is going out, and draw them. No inline script: the counts' URL is a data attribute. */
(function () {
  "use strict";

  var box = document.querySelector(".broadcast-progress");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-url");
  var final = (box.getAttribute("data-final") || "").split(" ");
  var interval = 3000;

  function draw(counts) {
    var total = counts.recipients || 0;
    var parts = {sent: counts.sent, failed: counts.failed, skipped: counts.skipped, pending: counts.pending};
    Object.keys(parts).forEach(function (name) {
      var bar = box.querySelector(".broadcast-bar-" + name);
      if (bar) {
        bar.style.width = total ? (100 * parts[name] / total) + "%" : "0";
      }
    });
    box.querySelectorAll("[data-count]").forEach(function (cell) {
      var value = counts[cell.getAttribute("data-count")];
      if (value !== undefined) {
        cell.textContent = value;
      }
    });
  }

  function poll() {
    window.fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (counts) {
        if (!counts) {
          return;
        }
        if (counts.status !== box.getAttribute("data-status")) {
          // Started, paused, done...: the page's buttons and statistics follow the new state.
          window.location.reload();
          return;
        }
        draw(counts);
        if (final.indexOf(counts.status) === -1) {
          window.setTimeout(poll, interval);
        }
      })
      .catch(function () { window.setTimeout(poll, interval * 3); });
  }

  poll();
}());
