/* The back-office banner: every few seconds ask the shop for new unclaimed orders and show
   them on whatever admin page the manager is on. Plain short polling: it works the same on
   runserver and behind gunicorn, with no long-lived connections to hold open. */
(function () {
  "use strict";

  var slot = document.getElementById("bo-banner");
  if (!slot || !window.fetch) {
    return;
  }
  var interval = parseInt(slot.getAttribute("data-interval"), 10) || 3000;
  var here = window.location.pathname + window.location.search;
  var url = slot.getAttribute("data-url") + "?next=" + encodeURIComponent(here);
  var shown = null;
  var timer = null;
  var busy = false;

  function schedule() {
    timer = window.setTimeout(poll, interval);
  }

  function poll() {
    if (busy) {
      schedule();
      return;
    }
    busy = true;
    window.fetch(url, {credentials: "same-origin", cache: "no-store", redirect: "error",
                       headers: {"Accept": "text/html", "X-Requested-With": "XMLHttpRequest"}})
      .then(function (response) {
        if (response.status === 403 || response.status === 401) {
          // Signed out or no longer a manager: stop asking.
          throw new Error("stop");
        }
        return response.ok ? response.text() : shown;
      })
      .then(function (html) {
        busy = false;
        if (html !== null && html !== shown) {
          shown = html;
          slot.innerHTML = html;
          slot.classList.toggle("bo-banner-slot-active", html.trim() !== "");
        }
        schedule();
      })
      .catch(function (error) {
        busy = false;
        if (error && error.message === "stop") {
          window.clearTimeout(timer);
          return;
        }
        schedule();  // the network hiccupped: try again at the next tick
      });
  }

  // A press on "I'll take it" is a plain form post; block a double press while it travels.
  slot.addEventListener("submit", function (event) {
    var button = event.target.querySelector("button");
    if (button) {
      if (button.disabled) {
        event.preventDefault();
        return;
      }
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  });

  poll();
}());
