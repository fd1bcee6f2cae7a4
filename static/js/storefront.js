// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form && event.target.type !== "number") form.requestSubmit();
});

// Drop empty fields so shared filter links stay short and readable.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.method !== "get") return;
  for (const field of form.querySelectorAll("input, select")) {
    if (!field.value) field.disabled = true;
  }
});

document.addEventListener("click", (event) => {
  const thumb = event.target.closest("[data-gallery-large]");
  if (!thumb) return;
  event.preventDefault();
  const main = document.querySelector(".gallery-main");
  if (main) main.src = thumb.dataset.galleryLarge;
});

