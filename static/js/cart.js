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
    if (document.querySelector('input[name="delivery_method"]:checked')) showDeliveryDetails();
  });
})();
