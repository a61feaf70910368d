// Posyandu session, keyboard only: Enter in any input of a row saves that row (htmx posts it);
// once the saved row comes back, focus moves to the next child's weight. A row with errors keeps
// focus on its first wrong input. Without htmx, Enter submits the row as a plain form.
(function () {
  "use strict";

  function rowOf(el) {
    return el && el.closest ? el.closest("form.srow") : null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    var target = event.target;
    var row = rowOf(target);
    if (!row || target.tagName === "BUTTON" || target.tagName === "TEXTAREA" || target.tagName === "A") return;
    event.preventDefault();
    if (typeof row.requestSubmit === "function") row.requestSubmit();
    else row.submit();
  });

  function focusInput(input) {
    if (!input) return;
    input.focus();
    if (typeof input.select === "function") input.select();
    if (input.scrollIntoView) input.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var row = event.target;
    if (!row || !row.matches || !row.matches("form.srow")) return;
    if (row.dataset.result === "saved") {
      var next = row.nextElementSibling;
      while (next && !(next.matches && next.matches("form.srow"))) next = next.nextElementSibling;
      if (next) focusInput(next.querySelector("input[name=weight_kg]"));
      else focusInput(row.querySelector("button"));
    } else if (row.dataset.result === "error") {
      focusInput(row.querySelector("[aria-invalid=true]") || row.querySelector("input[name=weight_kg]"));
    }
  });
})();
