// Yandex Metrica and Google Analytics 4, each only when the shop set its id, and, where the shop
// asks first, only after the visitor said yes. The page's e-commerce facts (a product seen, the
// checkout begun, an order placed) come from the #ecommerce-data JSON the server rendered; what goes
// into or out of the cart is told by the cart's own htmx responses as an "ecommerce" event. Metrica reads its "ecommerce" entries from
// window.dataLayer; GA4 gets the same facts as gtag events.
(function () {
  "use strict";
  var script = document.currentScript;
  var metricaId = script.dataset.metrica;
  var ga4Id = script.dataset.ga4;
  var CONSENT_KEY = "vitrina-counters";
  window.dataLayer = window.dataLayer || [];

  function gtag() { window.dataLayer.push(arguments); }

  function load(src) {
    var tag = document.createElement("script");
    tag.async = true;
    tag.src = src;
    document.head.appendChild(tag);
  }

  function startMetrica() {
    window.ym = window.ym || function () { (window.ym.a = window.ym.a || []).push(arguments); };
    window.ym.l = Date.now();
    load("https://mc.yandex.ru/metrika/tag.js");
    window.ym(Number(metricaId), "init", { clickmap: true, trackLinks: true, accurateTrackBounce: true,
                                           ecommerce: "dataLayer" });
  }

  function startGa4() {
    load("https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(ga4Id));
    gtag("js", new Date());
    gtag("config", ga4Id);
  }

  var METRICA_ACTION = { view: "detail", add: "add", remove: "remove", checkout: "checkout", purchase: "purchase" };
  var GA4_EVENT = { view: "view_item", add: "add_to_cart", remove: "remove_from_cart", checkout: "begin_checkout",
                    purchase: "purchase" };

  function tell(fact) {
    var action = {};
    action.products = fact.items.map(function (item) {
      return { id: item.id, name: item.name, price: item.price, brand: item.brand, category: item.category,
               quantity: item.quantity };
    });
    if (fact.order) { action.actionField = { id: fact.order, revenue: fact.value }; }
    var ecommerce = { currencyCode: fact.currency };
    ecommerce[METRICA_ACTION[fact.kind]] = action;
    window.dataLayer.push({ ecommerce: ecommerce });
    if (ga4Id) {
      gtag("event", GA4_EVENT[fact.kind], {
        currency: fact.currency, value: Number(fact.value), transaction_id: fact.order || undefined,
        items: fact.items.map(function (item) {
          return { item_id: item.id, item_name: item.name, item_brand: item.brand, item_category: item.category,
                   price: Number(item.price), quantity: item.quantity };
        })
      });
    }
  }

  function pageFacts() {
    var data = document.getElementById("ecommerce-data");
    return data ? JSON.parse(data.textContent) : null;
  }

  function start() {
    if (metricaId) { startMetrica(); }
    if (ga4Id) { startGa4(); }
    var facts = pageFacts();
    if (facts) { tell(facts); }
    // The cart's own answers name what went in or out (an HX-Trigger header of orders/views.py).
    document.body.addEventListener("ecommerce", function (event) { tell(event.detail); });
  }

  if (!script.dataset.needConsent || window.localStorage.getItem(CONSENT_KEY) === "yes") {
    start();
    return;
  }
  var banner = document.getElementById("counters-consent");
  if (window.localStorage.getItem(CONSENT_KEY) === "no" || !banner) { return; }
  banner.hidden = false;
  banner.addEventListener("click", function (event) {
    var answer = event.target.dataset.countersConsent;
    if (!answer) { return; }
    window.localStorage.setItem(CONSENT_KEY, answer);
    banner.hidden = true;
    if (answer === "yes") { start(); }
  });
})();
