// Checkout: show only the delivery details the chosen method needs. Without JavaScript
// every detail field is shown and the server ignores the ones the method does not use.
(() => {
  const showDeliveryDetails = () => {
    const chosen = document.querySelector('input[name="delivery_method"]:checked');
    const kind = chosen ? chosen.dataset.deliveryKind : "";
    for (const block of document.querySelectorAll("[data-delivery-for]")) {
      block.hidden = !block.dataset.deliveryFor.split(" ").includes(kind);
    }
  };
  document.addEventListener("change", (event) => {
    if (event.target.name === "delivery_method") showDeliveryDetails();
  });
  document.addEventListener("DOMContentLoaded", () => {
    if (document.querySelector('input[name="delivery_method"]')) showDeliveryDetails();
  });
})();

// Checkout: the summary says what the order costs as the form stands. The server prices it
// (the same quote the order is placed at) and answers with the page's changed parts, each
// replacing the element with its id. Without JavaScript, "Apply" and the form do the same.
(() => {
  const PRICED = new Set(["delivery_method", "pickup_point", "address", "postcode", "promo_code", "points",
                          "email", "phone"]);
  let pending = null;
  let latest = 0;

  // Each change takes a ticket; only the answer to the newest one is shown, so a slow answer
  // to an earlier change never overwrites a newer price.
  const refresh = async (form, ticket) => {
    const response = await fetch(form.dataset.checkoutSummary, {
      method: "POST", body: new FormData(form), headers: { "X-Requested-With": "fetch" }, credentials: "same-origin",
    });
    if (!response.ok || ticket !== latest) return;
    const parts = new DOMParser().parseFromString(await response.text(), "text/html");
    if (ticket !== latest) return;
    for (const part of parts.body.querySelectorAll("[id]")) {
      const current = document.getElementById(part.id);
      if (current && !part.parentElement.closest("[id]")) current.replaceWith(document.importNode(part, true));
    }
    form.dataset.quoted = String(ticket);
    delete form.dataset.pricing;
  };

  const soon = (form, delay) => {
    clearTimeout(pending);
    const ticket = ++latest;
    form.dataset.pricing = "1";
    pending = setTimeout(() => refresh(form, ticket), delay);
  };

  const checkoutForm = (element) => element.closest && element.closest("form[data-checkout-summary]");

  document.addEventListener("change", (event) => {
    const form = checkoutForm(event.target);
    if (form && PRICED.has(event.target.name)) soon(form, 0);
  });
  document.addEventListener("input", (event) => {
    const form = checkoutForm(event.target);
    if (form && ["promo_code", "points"].includes(event.target.name)) soon(form, 500);
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest('button[name="action"][value="apply_promo"]');
    const form = button && checkoutForm(button);
    if (!form) return;
    event.preventDefault();
    soon(form, 0);
  });
})();
