// On a phone the filters start folded, so the products are the first thing a shopper sees. This
// runs right after the panel is parsed, before the page is first drawn: folding it later (with the
// deferred scripts) made the whole listing jump up under the shopper's finger.
(function () {
  "use strict";
  if (!window.matchMedia("(max-width: 719px)").matches) { return; }
  for (const panel of document.querySelectorAll("details[data-fold-on-phone]")) {
    if (!panel.querySelector(".form-errors")) { panel.open = false; }
  }
})();
