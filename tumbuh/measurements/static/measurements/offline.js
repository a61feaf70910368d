// The posyandu session keeps working with no connection (docs/offline.md).
//
// Online nothing changes: each row is saved by htmx as before. When the phone is offline (or a
// row's request cannot reach the server), the row is checked here exactly as the server checks
// it (ranges, unit slips, the WHO z-scores from the same tables, the warnings that need a second
// look), then queued in the IndexedDB outbox (outbox.js) with a client UUID and shown as "waiting
// to be sent", with its z-score badges computed on this phone. The outbox is sent to the bulk
// endpoint on the "Send now" button, when the connection returns, on page load, and by the
// service worker's Background Sync; each entry then shows the server's answer: accepted,
// duplicate, rejected (with the errors) or conflict (the server's values next to this phone's:
// nothing is overwritten).
(function () {
  "use strict";

  var configEl = document.getElementById("offline-config");
  if (!configEl || !("serviceWorker" in navigator) || !window.indexedDB || !window.idb || !window.TumbuhOutbox) return;
  var cfg = JSON.parse(configEl.textContent);
  var S = cfg.strings;
  var Outbox = window.TumbuhOutbox;
  var tablesPromise = null;
  var lastSubmitter = null;
  var controlledAtLoad = !!navigator.serviceWorker.controller;

  // ---------------------------------------------------------------------------------------------
  // small helpers

  var fill = Outbox.fill;
  var esc = Outbox.esc;
  var csrfToken = Outbox.csrfToken;

  function fmt(x, digits) {
    return Number(x).toFixed(digits).replace(".", cfg.decimal_separator);
  }

  function tables() {
    if (!tablesPromise) {
      tablesPromise = fetch(cfg.tables_url).then(function (r) { return r.json(); });
    }
    return tablesPromise;
  }

  function rowFor(childId) {
    return document.getElementById("row-" + childId);
  }

  function childOf(row) {
    return row.id.replace("row-", "");
  }

  function rowKey(childId) {
    return cfg.posyandu + "/" + cfg.date + "/" + childId;
  }

  // "10,5" and "10.5" are 10.5; "1.250,5" is not guessed (as DecimalCommaField).
  function parseNumber(text) {
    var t = (text || "").trim();
    if (t === "") return { value: null };
    if (!/^\d+([.,]\d+)?$/.test(t)) return { error: S.not_a_number };
    return { value: Number(t.replace(",", ".")) };
  }

  // ---------------------------------------------------------------------------------------------
  // the server's checks (validation.input_errors), for a session row

  function check(entry, tbl) {
    return window.TumbuhGrowth.check(tbl, entry, cfg.children[String(entry.child)], S, cfg.decimal_separator);
  }

  function readRow(row) {
    var entry = { posyandu: cfg.posyandu, date: cfg.date, child: Number(childOf(row)) };
    var errors = {};
    ["weight_kg", "length_cm", "arm_circumference_cm"].forEach(function (name) {
      var parsed = parseNumber(row.querySelector("input[name=" + name + "]").value);
      if (parsed.error) errors[name] = [parsed.error];
      entry[name] = parsed.error ? null : parsed.value;
    });
    entry.position = entry.length_cm === null ? "" : row.querySelector("select[name=position]").value;
    entry.oedema = row.querySelector("input[name=oedema]").checked;
    var confirm = row.querySelector("input[name=confirm]");
    entry.confirm = !!(confirm && confirm.checked);
    var child = cfg.children[childOf(row)] || {};
    entry.child_name = child.name || "";
    return { entry: entry, errors: errors };
  }

  function previousOf(childId) {
    var c = cfg.children[String(childId)];
    if (!c || (!c.weight && !c.length)) return null;
    return {
      weight_kg: c.weight ? c.weight[0] : null, weight_on: c.weight ? c.weight[1] : null,
      length_adjusted_cm: c.length ? c.length[0] : null, length_on: c.length ? c.length[1] : null,
    };
  }

  async function deriveEntry(entry) {
    var child = cfg.children[String(entry.child)];
    if (!child) return null;
    return window.TumbuhGrowth.derive(await tables(), entry, child, previousOf(entry.child));
  }

  function warningText(w) {
    if (typeof w === "string") return w;
    if (w.text) return w.text;
    // an ISO date as the server's warning_text writes it: 05-11-2026
    function dmy(iso) { return /^\d{4}-\d{2}-\d{2}$/.test(iso || "") ? iso.split("-").reverse().join("-") : (iso || ""); }
    switch (w.code) {
      case "implausible": return fill(S.warn_implausible, { indicator: w.indicator, z: fmt(w.z, 2) });
      case "length_decrease": return fill(S.warn_length_decrease, { drop: fmt(w.drop_cm, 1), date: dmy(w.previous_on), previous: fmt(w.previous_cm, 1) });
      case "weight_change": return fill(S.warn_weight_change, { percent: w.percent, date: dmy(w.previous_on), previous: fmt(w.previous_kg, 2) });
      default: return S["warn_" + w.code] || w.code || "";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // rendering a row's status

  var ROW_STATES = ["is-measured", "is-absent", "has-errors", "needs-confirm", "is-pending", "has-conflict"];

  function setRowState(row, state, result) {
    ROW_STATES.forEach(function (c) { row.classList.remove(c); });
    if (state) row.classList.add(state);
    row.dataset.result = result || "";
    row.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function statusBox(row) {
    var box = row.querySelector(".srow-status");
    var hint = box.querySelector(".srow-hint");
    box.innerHTML = "";
    if (hint) box.appendChild(hint);
    var holder = document.createElement("div");
    holder.className = "srow-offline";
    box.appendChild(holder);
    return holder;
  }

  function badges(derived) {
    if (!derived) return "";
    var html = "";
    [["length_for_age_category", "TB/U"], ["weight_for_age_category", "BB/U"], ["weight_for_length_category", "BB/TB"]].forEach(function (p) {
      var code = derived[p[0]];
      var known = code && cfg.categories[p[1]][code];
      if (known) html += '<span class="badge ' + esc(known[1]) + '" data-code="' + esc(code) + '">' + esc(p[1] + ": " + known[0]) + "</span> ";
    });
    var gain = derived.weight_gain;
    if (gain) html += '<span class="badge ' + ({ N: "green", T: "orange", "2T": "red", O: "yellow", B: "blue" }[gain] || "") + '" data-code="' + esc(gain) + '">' + esc(gain) + "</span> ";
    if (derived.below_red_line) html += '<span class="badge red">BGM</span> ';
    return html;
  }

  function warningList(warnings) {
    if (!warnings || !warnings.length) return "";
    return '<ul class="srow-warnings warning">' + warnings.map(function (w) { return "<li>" + esc(warningText(w)) + "</li>"; }).join("") + "</ul>";
  }

  function errorList(errors) {
    var items = [];
    Object.keys(errors || {}).forEach(function (field) {
      [].concat(errors[field]).forEach(function (e) { items.push("<li>" + esc(e) + "</li>"); });
    });
    return items.length ? '<ul class="errorlist">' + items.join("") + "</ul>" : "";
  }

  function markInvalid(row, errors) {
    Object.keys(errors || {}).forEach(function (field) {
      var name = { height_cm: "length_cm", lila_cm: "arm_circumference_cm", measured_lying: "position" }[field] || field;
      var input = row.querySelector("[name=" + name + "]");
      if (input) input.setAttribute("aria-invalid", "true");
    });
  }

  function valuesText(v) {
    var parts = [];
    var w = v.weight_kg, l = v.length_cm !== undefined ? v.length_cm : v.height_cm;
    var a = v.arm_circumference_cm !== undefined ? v.arm_circumference_cm : v.lila_cm;
    if (w !== null && w !== undefined) parts.push(fmt(w, 2).replace(/0$/, "") + " kg");
    if (l !== null && l !== undefined) parts.push(fmt(l, 1) + " cm");
    if (a !== null && a !== undefined) parts.push("LiLA " + fmt(a, 1) + " cm");
    return parts.join(" / ");
  }

  function fillInputs(row, item) {
    function put(name, value) {
      var input = row.querySelector("input[name=" + name + "]");
      if (input) input.value = value === null || value === undefined ? "" : String(value).replace(".", cfg.decimal_separator);
    }
    put("weight_kg", item.weight_kg);
    put("length_cm", item.length_cm);
    put("arm_circumference_cm", item.arm_circumference_cm);
    if (item.position) row.querySelector("select[name=position]").value = item.position;
    row.querySelector("input[name=oedema]").checked = !!item.oedema;
  }

  function showErrors(row, errors) {
    setRowState(row, "has-errors", "error");
    statusBox(row).innerHTML = errorList(errors);
    markInvalid(row, errors);
  }

  function showConfirm(row, derived) {
    setRowState(row, "needs-confirm", "confirm");
    var id = childOf(row);
    statusBox(row).innerHTML = '<div class="srow-confirm" role="alert"><strong>' + esc(S.confirm_title) + "</strong>" +
      warningList(derived.warnings) +
      '<label><input type="checkbox" name="confirm" id="confirm-' + esc(id) + '" value="on"> ' + esc(S.confirm_label) + "</label>" +
      '<span class="muted">' + esc(S.confirm_help) + "</span></div>";
  }

  function showItem(row, item, derived) {
    row.dataset.outbox = item.uuid + ":" + item.status;
    var r = item.result || {};
    if (item.status === "pending" || item.status === "sending") {
      setRowState(row, "is-pending", "queued");
      statusBox(row).innerHTML = '<span class="badge yellow srow-pending">' + esc(S.pending) + "</span> " +
        badges(derived) + '<span class="muted srow-local">(' + esc(S.computed_here) + ")</span>" + warningList(derived && derived.warnings);
    } else if (item.status === "accepted" || item.status === "duplicate") {
      setRowState(row, "is-measured", "saved");
      var m = r.measurement;
      // The server's derived values (the API's names) when it sent them; else this phone's.
      var shown = m ? { length_for_age_category: m.haz_category, weight_for_age_category: m.waz_category,
        weight_for_length_category: m.whz_category, below_red_line: m.bgm, weight_gain: m.weight_gain } : derived;
      var texts = (m && m.warnings) || r.warnings || [];
      var id = r.id || (m && m.id);
      var edit = id ? ' <a class="srow-edit muted" href="' + esc(cfg.edit_url.replace("/0/", "/" + id + "/")) + '">' + esc(S.correct) + "</a>" : "";
      statusBox(row).innerHTML = '<span class="badge green srow-saved">✓ ' + esc(S.saved) + "</span> " +
        '<span class="muted srow-answer">' + esc(item.status === "duplicate" ? S.duplicate : S.accepted) + "</span> " +
        badges(shown) + warningList(texts.length || m ? texts : derived && derived.warnings) + edit;
    } else if (item.status === "rejected" && r.code === "needs_confirmation") {
      // The server wants the second look (docs/measurements.md): the same box as online.
      showConfirm(row, { warnings: (r.errors && r.errors.confirm) || r.warnings || [] });
    } else if (item.status === "rejected") {
      setRowState(row, "has-errors", "error");
      statusBox(row).innerHTML = '<span class="badge red srow-rejected">' + esc(S.rejected) + "</span>" + errorList(r.errors);
      markInvalid(row, r.errors);
    } else if (item.status === "conflict") {
      setRowState(row, "has-conflict", "conflict");
      var other = r.conflict_with || {};
      var link = other.id ? ' <a class="srow-edit" href="' + esc(cfg.edit_url.replace("/0/", "/" + other.id + "/")) + '">' + esc(S.open_server) + "</a>" : "";
      statusBox(row).innerHTML = '<div class="srow-conflict" role="alert"><span class="badge orange">' + esc(S.conflict) + "</span> " +
        esc(fill(S.conflict_text, { values: valuesText(other) || "?" })) + " " + esc(fill(S.conflict_yours, { values: valuesText(item) })) +
        ' <button type="button" class="secondary srow-discard" data-uuid="' + esc(item.uuid) + '">' + esc(S.discard) + "</button>" + link + "</div>";
    }
  }

  function updateProgress() {
    var strong = document.querySelector("#session-progress strong");
    // A conflict means the server has a measurement for that child and date too.
    if (strong) strong.textContent = String(document.querySelectorAll("form.srow.is-measured, form.srow.has-conflict").length);
  }

  function focusNext(row) {
    var next = row.nextElementSibling;
    while (next && !(next.matches && next.matches("form.srow"))) next = next.nextElementSibling;
    var target = next ? next.querySelector("input[name=weight_kg]") : row.querySelector("button");
    if (target) {
      target.focus();
      if (target.select) target.select();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // queueing a row typed offline

  async function queueRow(row, submitter) {
    if (submitter && submitter.name === "absent") {
      statusBox(row).innerHTML = '<span class="warning">' + esc(S.absent_offline) + "</span>";
      return;
    }
    var read = readRow(row);
    var entry = read.entry;
    var tbl = null;
    try { tbl = await tables(); } catch (e) { /* no tables: the fixed ranges only */ }
    var errors = Object.keys(read.errors).length ? read.errors : check(entry, tbl);
    if (Object.keys(errors).length) {
      showErrors(row, errors);
      var bad = row.querySelector("[aria-invalid=true]") || row.querySelector("input[name=weight_kg]");
      bad.focus();
      return;
    }
    var derived = await deriveEntry(entry);
    if (derived && derived.needs_confirmation && !entry.confirm) {
      showConfirm(row, derived);
      row.querySelector("input[name=confirm]").focus();
      return;
    }
    var item = await Outbox.add(entry);
    showItem(row, item, derived);
    focusNext(row);
    await renderOutbox();
    try {
      var reg = await navigator.serviceWorker.ready;
      if (reg.sync) await reg.sync.register(Outbox.SYNC_TAG);
    } catch (e) { /* no Background Sync (Safari, Firefox): the online event and the button send */ }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("form.srow button[type=submit], form.srow button:not([type])");
    lastSubmitter = button || null;
  }, true);

  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.detail && event.detail.elt;
    if (!row || !row.matches || !row.matches("form.srow") || navigator.onLine) return;
    event.preventDefault();
    var trig = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    queueRow(row, (trig && trig.submitter) || (lastSubmitter && row.contains(lastSubmitter) ? lastSubmitter : null));
    lastSubmitter = null;
  });

  // Online as far as the phone knows, but the request never reached the server: queue it too.
  document.addEventListener("htmx:sendError", function (event) {
    var row = event.detail && event.detail.elt;
    if (!row || !row.matches || !row.matches("form.srow")) return;
    var trig = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    queueRow(row, trig && trig.submitter);
  });

  // The server answered with an error (a 5xx: "database is locked" under load, a restart): the
  // typed values are not lost. The row is checked and queued like an offline one, and the outbox
  // is retried on its own (Outbox.retrier) until the server takes it.
  document.addEventListener("htmx:responseError", function (event) {
    var row = event.detail && event.detail.elt;
    var xhr = event.detail && event.detail.xhr;
    if (!row || !row.matches || !row.matches("form.srow") || !xhr || xhr.status < 500) return;
    var trig = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    retry.later(); // first, not after: queueRow waits for the worker
    queueRow(row, trig && trig.submitter);
  });

  // A row saved online after the page was cached: keep it, so a reload from the cache shows it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var row = event.target;
    if (row && row.matches && row.matches("form.srow") && row.dataset.result === "saved") {
      Outbox.keepRow(rowKey(childOf(row)), row.outerHTML);
      Outbox.dropOpen(cfg.posyandu, cfg.date, Number(childOf(row))).then(renderOutbox);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // the outbox panel

  var panel = document.getElementById("outbox");

  async function renderOutbox() {
    if (!panel) return;
    var items = (await Outbox.all()).reverse().filter(function (i) { return Outbox.kindOf(i) === "measurement"; });
    var waiting = items.filter(function (i) { return i.status === "pending" || i.status === "sending"; });
    panel.hidden = !items.length && navigator.onLine;
    panel.querySelector(".outbox-connection").textContent = navigator.onLine ? S.online_now : S.offline_now;
    panel.classList.toggle("is-offline", !navigator.onLine);
    panel.querySelector(".outbox-count").textContent = waiting.length ? fill(S.count_pending, { n: waiting.length }) : S.nothing;
    panel.querySelector(".outbox-send").disabled = !waiting.length;
    panel.querySelector(".outbox-clear").hidden = !items.some(function (i) { return i.status === "accepted" || i.status === "duplicate"; });
    var list = panel.querySelector(".outbox-items");
    list.innerHTML = items.map(function (i) {
      var r = i.result || {};
      var sev = { pending: "yellow", sending: "yellow", accepted: "green", duplicate: "green", rejected: "red", conflict: "orange" }[i.status] || "";
      return '<li class="outbox-item" data-status="' + esc(i.status) + '" data-uuid="' + esc(i.uuid) + '"><span class="badge ' + sev + '">' + esc(S[i.status] || i.status) + "</span> " +
        "<strong>" + esc(i.child_name) + "</strong> · " + esc(i.date.split("-").reverse().join("-")) + " · " + esc(valuesText(i)) +
        (i.status === "rejected" ? errorList(r.errors) : "") + "</li>";
    }).join("");
  }

  async function refreshRows() {
    var items = await Outbox.all(cfg.posyandu);
    var latest = {};
    items.forEach(function (i) { if (i.date === cfg.date) latest[i.child] = i; });
    var changed = false;
    for (var child in latest) {
      var item = latest[child];
      var row = rowFor(child);
      if (!row || row.dataset.outbox === item.uuid + ":" + item.status) continue;
      var fromServer = row.classList.contains("is-measured") && !row.dataset.outbox;
      if ((item.status === "accepted" || item.status === "duplicate") && fromServer &&
          Date.parse(item.answered_at || 0) < Date.parse(cfg.rendered_at)) continue; // the page already has it
      fillInputs(row, item);
      showItem(row, item, await deriveEntry(item));
      changed = true;
    }
    if (changed) updateProgress();
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
      await Outbox.setConfig({ bulk_url: cfg.bulk_url, csrf: csrfToken() });
      var report = await Outbox.send();
      if (report.error === "server" || report.error === "offline") retry.later();
      else retry.reset();
      if (note && report.error) note.textContent = report.error === "login" ? S.send_login : report.error === "server" ? S.send_server : S.send_failed;
      else if (note && report.sent) {
        var n = { accepted: 0, duplicate: 0, rejected: 0, conflict: 0 };
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

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".srow-discard");
    if (!button) return;
    var row = button.closest("form.srow");
    Outbox.remove(button.dataset.uuid).then(function () {
      if (row) {
        setRowState(row, "", "");
        delete row.dataset.outbox;
        statusBox(row);
      }
      return renderOutbox();
    });
  });

  // Logging out removes the kept pages and rows (the outbox stays): outbox.js.
  Outbox.forgetPagesOnLogout(cfg.logout_url);

  window.addEventListener("online", function () { sync(); });
  window.addEventListener("offline", function () { renderOutbox(); });
  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "tumbuh-outbox-sent") refresh();
  });

  // ---------------------------------------------------------------------------------------------
  // start: the worker, persistent storage, rows saved online since this copy of the page, the
  // outbox, and a first send

  async function start() {
    await Outbox.preparePage();
    if (navigator.onLine) await Outbox.setConfig({ bulk_url: cfg.bulk_url, csrf: csrfToken() });
    if (await Outbox.restoreRows(document.querySelectorAll("form.srow:not(.is-measured)"), function (row) { return rowKey(childOf(row)); }, cfg.rendered_at)) updateProgress();
    await refresh();
    await Outbox.keepPageOffline(cfg.sw_url, cfg.scope, controlledAtLoad);
    if (navigator.onLine) sync();
  }

  start();
})();
