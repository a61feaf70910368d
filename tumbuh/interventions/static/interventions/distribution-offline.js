// The distribution day keeps working with no connection (docs/offline.md).
//
// Online nothing changes: each row is saved by htmx, one request per row. When the phone is
// offline (or a row's request cannot reach the server), the tick is queued in the shared IndexedDB
// outbox (measurements/outbox.js) as a "delivery" entry with a client UUID and the row shows
// "waiting to be sent". The outbox is sent to POST /api/v1/deliveries/bulk/ on the "Send now"
// button, when the connection returns, on page load and by the service worker's Background Sync;
// each entry then shows the server's answer: accepted, duplicate (an earlier send arrived) or
// rejected with the server's own message. Who may receive the item is decided by the server, as
// online: offline the tick is taken as typed.
(function () {
  "use strict";

  var configEl = document.getElementById("offline-config");
  if (!configEl || !("serviceWorker" in navigator) || !window.indexedDB || !window.idb || !window.TumbuhOutbox) return;
  var cfg = JSON.parse(configEl.textContent);
  var S = cfg.strings;
  var Outbox = window.TumbuhOutbox;
  var fill = Outbox.fill;
  var esc = Outbox.esc;
  var controlledAtLoad = !!navigator.serviceWorker.controller;
  var panel = document.getElementById("outbox");

  // A row's slot: the item and the recipient ("PMT-BALITA/p123", "JAMBAN/h45"); with the date it
  // is what the outbox replaces when the same row is ticked again.
  function recipientOf(row) {
    return row.id.replace("drow-", "");
  }

  function slotOf(row) {
    return cfg.code + "/" + recipientOf(row);
  }

  function rowForSlot(slot) {
    return document.getElementById("drow-" + slot.slice(slot.lastIndexOf("/") + 1));
  }

  function rowKey(row) {
    return "delivery/" + cfg.date + "/" + slotOf(row);
  }

  function mine(item) {
    return Outbox.kindOf(item) === "delivery" && item.code === cfg.code && item.date === cfg.date;
  }

  function sent(item) {
    return item.status === "accepted" || item.status === "duplicate";
  }

  // "7" and "3,5" and "3.5" (as DecimalCommaDecimalField); empty is the row's default.
  function parseQuantity(text) {
    var t = (text || "").trim();
    if (t === "") return { value: null };
    if (!/^\d+([.,]\d+)?$/.test(t)) return { error: S.not_a_number };
    return { value: Number(t.replace(",", ".")) };
  }

  // As the server's floatformat:"-2": whole numbers without decimals, others with two.
  function quantityText(q) {
    var n = Number(q);
    var t = Math.round(n) === n ? String(n) : n.toFixed(2);
    return t.replace(".", cfg.decimal_separator);
  }

  function errorsText(result) {
    var errors = (result && result.errors) || {};
    var texts = [];
    Object.keys(errors).forEach(function (field) { texts = texts.concat(errors[field]); });
    return texts.join("; ");
  }

  function statusBox(row) {
    return row.querySelector(".drow-status");
  }

  function updateProgress() {
    var count = document.querySelector("#distribution-progress .dprogress-count");
    if (count) count.textContent = fill(S.progress, { n: document.querySelectorAll("form.drow.is-done").length, total: cfg.total });
  }

  function markDone(row, quantity) {
    row.classList.remove("is-pending", "has-errors");
    row.classList.add("is-done");
    row.dataset.result = "saved";
    row.querySelectorAll(".drow-tick, .drow-qty, .drow-save").forEach(function (el) { el.remove(); });
    statusBox(row).innerHTML = '<span class="badge green drow-saved">✓ ' + esc(S.received) + ": " +
      esc(quantityText(quantity)) + " " + esc(cfg.unit) + "</span>";
    updateProgress();
  }

  function showError(row, text) {
    row.classList.remove("is-pending");
    row.classList.add("has-errors");
    row.dataset.result = "error";
    statusBox(row).innerHTML = '<span class="errorlist">' + esc(text) + "</span>";
  }

  function showItem(row, item) {
    row.dataset.outbox = item.uuid + ":" + item.status;
    var qty = row.querySelector("input[name=quantity]");
    if (qty && item.quantity !== null && item.quantity !== undefined) qty.value = quantityText(item.quantity); // as typed, also after a reload
    if (sent(item)) {
      var stored = item.result && item.result.delivery;
      markDone(row, stored && stored.quantity !== undefined && stored.quantity !== null ? stored.quantity : item.quantity);
    } else if (item.status === "rejected") {
      showError(row, errorsText(item.result) || S.rejected);
      row.dataset.result = "rejected";
    } else {
      row.classList.remove("has-errors");
      row.classList.add("is-pending");
      row.dataset.result = "queued";
      statusBox(row).innerHTML = '<span class="badge yellow">' + esc(S[item.status] || S.pending) + "</span>";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // a row ticked with no connection

  async function queueRow(row) {
    var tick = row.querySelector("input[name=received]");
    var qty = row.querySelector("input[name=quantity]");
    if (!tick || !tick.checked) {
      showError(row, S.tick_first);
      return;
    }
    var parsed = parseQuantity(qty ? qty.value : "");
    if (parsed.error) {
      showError(row, parsed.error);
      qty.setAttribute("aria-invalid", "true");
      qty.focus();
      return;
    }
    if (qty) qty.removeAttribute("aria-invalid");
    var quantity = parsed.value;
    if (quantity === null && qty) quantity = parseQuantity(qty.defaultValue).value; // the row's default, as online
    var recipient = recipientOf(row);
    var who = row.querySelector(".drow-who strong");
    var entry = {
      kind: "delivery", slot: slotOf(row), code: cfg.code, date: cfg.date, quantity: quantity,
      unit: cfg.unit, label: who ? who.textContent : recipient,
    };
    entry[recipient.charAt(0) === "h" ? "household" : "person"] = Number(recipient.slice(1));
    var item = await Outbox.add(entry);
    showItem(row, item);
    await renderOutbox();
    try {
      var reg = await navigator.serviceWorker.ready;
      if (reg.sync) await reg.sync.register(Outbox.SYNC_TAG);
    } catch (e) { /* no Background Sync (Safari, Firefox): the online event and the button send */ }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.detail && event.detail.elt;
    if (!row || !row.matches || !row.matches("form.drow") || navigator.onLine) return;
    event.preventDefault();
    queueRow(row);
  });

  // Online as far as the phone knows, but the request never reached the server: queue it too.
  document.addEventListener("htmx:sendError", function (event) {
    var row = event.detail && event.detail.elt;
    if (row && row.matches && row.matches("form.drow")) queueRow(row);
  });

  // The server answered with an error (5xx): the tick is not lost; queued, and the outbox is
  // retried on its own (Outbox.retrier) until the server takes it.
  document.addEventListener("htmx:responseError", function (event) {
    var row = event.detail && event.detail.elt;
    var xhr = event.detail && event.detail.xhr;
    if (!row || !row.matches || !row.matches("form.drow") || !xhr || xhr.status < 500) return;
    retry.later(); // first, not after: queueRow waits for the worker
    queueRow(row);
  });

  // A row saved online after the page was kept: keep it too, so a reload from the kept copy shows
  // it received; an entry of that row still open in the outbox is superseded by the save.
  document.addEventListener("htmx:afterSettle", function (event) {
    var row = event.target;
    if (!row || !row.matches || !row.matches("form.drow.is-done")) return;
    Outbox.keepRow(rowKey(row), row.outerHTML);
    var slot = slotOf(row);
    Outbox.all().then(async function (items) {
      for (var i = 0; i < items.length; i++) {
        if (mine(items[i]) && items[i].slot === slot && !sent(items[i])) await Outbox.remove(items[i].uuid);
      }
      updateProgress();
      await renderOutbox();
    });
  });

  // ---------------------------------------------------------------------------------------------
  // the outbox panel (the same panel as the session's: measurements/_outbox.html)

  async function renderOutbox() {
    if (!panel) return;
    var items = (await Outbox.all()).reverse().filter(function (i) { return Outbox.kindOf(i) === "delivery"; });
    var waiting = items.filter(function (i) { return i.status === "pending" || i.status === "sending"; });
    panel.hidden = !items.length && navigator.onLine;
    panel.querySelector(".outbox-connection").textContent = navigator.onLine ? S.online_now : S.offline_now;
    panel.classList.toggle("is-offline", !navigator.onLine);
    panel.querySelector(".outbox-count").textContent = waiting.length ? fill(S.count_pending, { n: waiting.length }) : S.nothing;
    panel.querySelector(".outbox-send").disabled = !waiting.length;
    panel.querySelector(".outbox-clear").hidden = !items.some(sent);
    panel.querySelector(".outbox-items").innerHTML = items.map(function (i) {
      var sev = { pending: "yellow", sending: "yellow", accepted: "green", duplicate: "green", rejected: "red" }[i.status] || "";
      return '<li class="outbox-item" data-status="' + esc(i.status) + '" data-uuid="' + esc(i.uuid) + '"><span class="badge ' + sev + '">' +
        esc(S[i.status] || i.status) + "</span> <strong>" + esc(i.label) + "</strong> · " + esc(i.code) + " · " +
        esc(i.date.split("-").reverse().join("-")) + " · " + esc(i.quantity === null ? "" : quantityText(i.quantity)) + " " + esc(i.unit || "") +
        (i.status === "rejected" ? '<ul class="errorlist"><li>' + esc(errorsText(i.result)) + "</li></ul>" : "") + "</li>";
    }).join("");
  }

  async function refreshRows() {
    var latest = {};
    (await Outbox.all()).forEach(function (i) { if (mine(i)) latest[i.slot] = i; });
    for (var slot in latest) {
      var item = latest[slot];
      var row = rowForSlot(slot);
      if (!row || row.dataset.outbox === item.uuid + ":" + item.status) continue;
      var fromServer = row.classList.contains("is-done") && !row.dataset.outbox;
      if (fromServer) continue; // the page already shows it received
      showItem(row, item);
    }
    updateProgress();
  }

  async function refresh() {
    await refreshRows();
    await renderOutbox();
  }

  var sending = false;
  var retry = Outbox.retrier(function () { sync(); });

  async function sync() {
    if (sending || !navigator.onLine) return;
    sending = true;
    var note = panel && panel.querySelector(".outbox-note");
    try {
      await Outbox.setConfig({ delivery_bulk_url: cfg.delivery_bulk_url, csrf: Outbox.csrfToken() });
      var report = await Outbox.send();
      if (report.error === "server" || report.error === "offline") retry.later();
      else retry.reset();
      if (note && report.error) note.textContent = report.error === "login" ? S.send_login : report.error === "server" ? S.send_server : S.send_failed;
      else if (note && report.sent) {
        var n = { accepted: 0, duplicate: 0, rejected: 0 };
        report.results.forEach(function (r) { n[r.status] = (n[r.status] || 0) + 1; });
        note.textContent = fill(S.sent_report, n);
      }
    } finally {
      sending = false;
      await refresh();
    }
  }

  if (panel) {
    panel.querySelector(".outbox-send").addEventListener("click", function () { sync(); });
    panel.querySelector(".outbox-clear").addEventListener("click", function () {
      Outbox.clearSent().then(renderOutbox);
    });
  }

  Outbox.forgetPagesOnLogout(cfg.logout_url);
  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", function () { renderOutbox(); });
  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "tumbuh-outbox-sent") refresh();
  });

  // ---------------------------------------------------------------------------------------------
  // start: the worker (the session's, with this page's scope), persistent storage, rows saved
  // online since this copy of the page, the outbox, and a first send

  async function start() {
    await Outbox.preparePage();
    if (navigator.onLine) await Outbox.setConfig({ delivery_bulk_url: cfg.delivery_bulk_url, csrf: Outbox.csrfToken() });
    if (await Outbox.restoreRows(document.querySelectorAll("form.drow:not(.is-done)"), rowKey, cfg.rendered_at)) updateProgress();
    await refresh();
    await Outbox.keepPageOffline(cfg.sw_url, cfg.scope, controlledAtLoad);
    if (navigator.onLine) sync();
  }

  start();
})();
