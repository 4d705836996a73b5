// Optovik pages work without JavaScript; this only adds conveniences.
// Auto-submit the catalog filters when a select or checkbox changes.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.closest && target.closest("form.filters") && (target.tagName === "SELECT" || target.type === "checkbox")) {
    target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
  }
});
