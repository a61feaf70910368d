// Small page behaviours declared in the HTML with data attributes, so that no page needs inline
// JavaScript and the Content-Security-Policy can refuse inline scripts (script-src 'self').
//   <select data-autosubmit>              submits its form when changed
//   <button data-busy="Mengunggah…">      disabled and relabelled while its form submits
//   <form data-confirm="Hapus?">          asks before submitting
//   <input data-select-on-click>          selects its text when clicked (a URL to copy)
//   <button data-fill="#id" data-value="…"> puts the value into another field
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    var busy = form.querySelector("button[data-busy]");
    if (busy) {
      // After the browser has taken the submission: a disabled button would not be submitted.
      setTimeout(function () { busy.disabled = true; busy.textContent = busy.dataset.busy; }, 0);
    }
  });
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-select-on-click], [data-fill]") : null;
    if (!el) return;
    if (el.hasAttribute("data-select-on-click")) el.select();
    if (el.dataset.fill) {
      var target = document.querySelector(el.dataset.fill);
      if (target) { target.value = el.dataset.value || ""; target.dispatchEvent(new Event("change", { bubbles: true })); }
    }
  });
})();
