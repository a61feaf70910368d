// Posyandu session, keyboard only. Enter (and the phone keyboard's "next") moves along a row:
// weight -> length/height -> LiLA -> save. A row is saved by Enter only when it is complete
// (weight and length/height); otherwise Enter goes to the first empty one of the two, so a
// half-typed row is never saved by mistake and the next value never lands on another child.
// The Save button saves what is typed (the cadre says so). Once a row comes back saved (or
// marked absent), focus moves to the next child's weight; a row with errors keeps focus on its
// first wrong input; a row that needs confirming focuses its "values are right" box.
// Without htmx, Enter submits the row as a plain form.
(function () {
  "use strict";

  var ORDER = ["weight_kg", "length_cm", "arm_circumference_cm"];

  function rowOf(el) {
    return el && el.closest ? el.closest("form.srow") : null;
  }

  function field(row, name) {
    return row.querySelector("input[name=" + name + "]");
  }

  function filled(input) {
    return input && input.value.trim() !== "";
  }

  function focusInput(input) {
    if (!input) return;
    input.focus();
    if (typeof input.select === "function" && input.type === "text") input.select();
    if (input.scrollIntoView) input.scrollIntoView({ block: "nearest" });
  }

  function submit(row) {
    if (typeof row.requestSubmit === "function") row.requestSubmit();
    else row.submit();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    var target = event.target;
    var row = rowOf(target);
    if (!row || target.tagName === "BUTTON" || target.tagName === "TEXTAREA" || target.tagName === "A") return;
    event.preventDefault();
    var weight = field(row, "weight_kg"), length = field(row, "length_cm");
    var at = ORDER.indexOf(target.name);
    if (at >= 0 && at < ORDER.length - 1) {
      // weight -> length -> LiLA, whatever is typed: the cadre reads them off in that order.
      focusInput(field(row, ORDER[at + 1]));
      return;
    }
    if (filled(weight) && filled(length)) {
      submit(row);
    } else if (target.name === "confirm" && target.checked) {
      submit(row);  // confirming a row saved on purpose with one value (its Save was pressed)
    } else {
      focusInput(filled(weight) ? length : weight);
      row.dataset.hint = "incomplete";
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var row = event.target;
    if (!row || !row.matches || !row.matches("form.srow")) return;
    if (row.dataset.result === "saved") {
      var next = row.nextElementSibling;
      while (next && !(next.matches && next.matches("form.srow"))) next = next.nextElementSibling;
      if (next) focusInput(field(next, "weight_kg"));
      else focusInput(row.querySelector("button"));
    } else if (row.dataset.result === "error") {
      focusInput(row.querySelector("[aria-invalid=true]") || field(row, "weight_kg"));
    } else if (row.dataset.result === "confirm") {
      focusInput(row.querySelector("input[name=confirm]"));
    }
  });
})();
