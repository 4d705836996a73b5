// Optovik pages work without JavaScript; this only adds conveniences:
// auto-submitting catalog filters, SKU autocomplete in the quick order,
// and a size check with a preview line before an order file is sent.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.closest && target.closest("form.filters") && !target.closest("form.columns")
      && (target.tagName === "SELECT" || target.type === "checkbox")) {
    target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
  }
  if (target.type === "file" && target.dataset.maxBytes) {
    const file = target.files[0];
    const info = target.form.querySelector(".file-info");
    if (!file || !info) return;
    const mib = (file.size / 1048576).toFixed(2);
    const tooBig = file.size > Number(target.dataset.maxBytes);
    info.textContent = file.name + " — " + mib + " MiB" + (tooBig ? " ✕" : " ✓");
    info.classList.toggle("field-error", tooBig);
    target.setCustomValidity(tooBig ? info.textContent : "");
  }
});

(function autocomplete() {
  const area = document.querySelector("textarea[data-autocomplete]");
  if (!area) return;
  const box = area.form.querySelector(".autocomplete");
  let items = [], active = -1, timer = null;
  const currentLine = () => {
    const start = area.value.lastIndexOf("\n", area.selectionStart - 1) + 1;
    const endIdx = area.value.indexOf("\n", area.selectionStart);
    const end = endIdx === -1 ? area.value.length : endIdx;
    return { start, end, text: area.value.slice(start, end) };
  };
  const close = () => { box.hidden = true; items = []; active = -1; };
  const choose = (i) => {
    const line = currentLine();
    const rest = line.text.replace(/^\S*/, "");
    area.value = area.value.slice(0, line.start) + items[i].sku + (rest || " ") + area.value.slice(line.end);
    const caret = line.start + items[i].sku.length + 1;
    area.setSelectionRange(caret, caret);
    close();
    area.focus();
  };
  const render = () => {
    box.innerHTML = "";
    items.forEach((item, i) => {
      const div = document.createElement("div");
      const picture = document.createElement(item.thumb ? "img" : "span");
      picture.className = "thumb" + (item.thumb ? "" : " none");
      if (item.thumb) { picture.src = item.thumb; picture.alt = ""; }
      div.appendChild(picture);
      div.appendChild(document.createTextNode(item.sku + " — " + item.name));
      if (i === active) div.className = "active";
      div.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
      box.appendChild(div);
    });
    box.hidden = items.length === 0;
  };
  area.addEventListener("input", () => {
    clearTimeout(timer);
    const word = currentLine().text.split(/[\t;, ]/)[0];
    if (word.length < 2 || area.selectionStart > currentLine().start + word.length) { close(); return; }
    timer = setTimeout(async () => {
      const response = await fetch(area.dataset.autocomplete + "?q=" + encodeURIComponent(word), { credentials: "same-origin" });
      if (!response.ok) return;
      items = await response.json();
      active = -1;
      render();
    }, 150);
  });
  area.addEventListener("keydown", (e) => {
    if (box.hidden) return;
    if (e.key === "ArrowDown") { active = (active + 1) % items.length; render(); e.preventDefault(); }
    else if (e.key === "ArrowUp") { active = (active - 1 + items.length) % items.length; render(); e.preventDefault(); }
    else if ((e.key === "Enter" || e.key === "Tab") && active >= 0) { choose(active); e.preventDefault(); }
    else if (e.key === "Escape") { close(); }
  });
  area.addEventListener("blur", () => setTimeout(close, 150));
})();

// Product gallery: a thumbnail shows its picture in the main frame.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[data-gallery]");
  const main = document.getElementById("gallery-main");
  if (!link || !main) return;
  event.preventDefault();
  main.src = link.dataset.gallery;
  main.alt = link.querySelector("img")?.alt || "";
  main.parentElement.href = link.dataset.gallery;
});

// Checkout: offer only the payment methods the chosen delivery method allows.
(function () {
  const delivery = document.getElementById("delivery-method");
  const payment = document.getElementById("payment-method");
  if (!delivery || !payment) return;
  const sync = () => {
    const allowed = (delivery.selectedOptions[0]?.dataset.payments || "").split(" ").filter(Boolean);
    for (const option of payment.options) {
      option.disabled = allowed.length > 0 && !allowed.includes(option.value);
    }
    if (payment.selectedOptions[0]?.disabled) {
      const first = [...payment.options].find((o) => !o.disabled);
      if (first) payment.value = first.value;
    }
  };
  delivery.addEventListener("change", sync);
  sync();
})();
