// The price list job's page: follow the worker's progress, then show the outcome.
(function () {
  "use strict";
  var bar = document.getElementById("pricelist-progress");
  if (!bar) return;
  var text = document.getElementById("pricelist-progress-text");
  function poll() {
    fetch(bar.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.value = job.percent;
        text.textContent = job.processed + " / " + job.total;
        if (job.finished) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
