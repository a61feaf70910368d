// The outbox of the offline screens: entries typed without a connection wait here, in IndexedDB
// (npm idb), each with its own client UUID, until the bulk endpoint has answered for them. Two
// kinds share it: "measurement" (the posyandu session, offline.js) and "delivery" (the
// distribution day, interventions/distribution-offline.js); each kind has its own bulk endpoint.
// Shared by the pages and the service worker (Background Sync): all send through `send()`, one
// sender at a time (Web Locks), and only entries still waiting are sent, so an entry goes out
// again only if no answer came back (and then the server answers "duplicate").
(function (root) {
  "use strict";
  var DB_NAME = "tumbuh-offline";
  var SYNC_TAG = "tumbuh-outbox";
  var SESSION_CACHE = "tumbuh-session-pages";
  var WAITING = ["pending", "sending"];
  var dbPromise = null;
  // Where each kind is sent (the API's fixed contract; a page may name others in the config).
  var BULK_URLS = { measurement: "/api/v1/measurements/bulk/", delivery: "/api/v1/deliveries/bulk/" };

  function kindOf(item) {
    return item.kind || "measurement";
  }

  function db() {
    if (!dbPromise) {
      dbPromise = root.idb.openDB(DB_NAME, 1, {
        upgrade: function (database) {
          var items = database.createObjectStore("outbox", { keyPath: "uuid" });
          items.createIndex("posyandu", "posyandu");
          database.createObjectStore("meta", { keyPath: "key" });
          // Rows saved online (htmx) after the page was cached: shown if the page is reloaded
          // from the cache, so a saved row never looks unsaved.
          database.createObjectStore("rows", { keyPath: "key" });
        },
      });
    }
    return dbPromise;
  }

  function uuid4() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = new Uint8Array(16);
    root.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  async function getMeta(key) {
    var row = await (await db()).get("meta", key);
    return row ? row.value : null;
  }

  async function setMeta(key, value) {
    await (await db()).put("meta", { key: key, value: value });
  }

  async function deviceId() {
    var id = await getMeta("device_id");
    if (!id) {
      id = uuid4();
      await setMeta("device_id", id);
    }
    return id;
  }

  async function all(posyandu) {
    var d = await db();
    var items = posyandu === undefined ? await d.getAll("outbox") : await d.getAllFromIndex("outbox", "posyandu", posyandu);
    items.sort(function (a, b) { return a.created_at < b.created_at ? -1 : 1; });
    return items;
  }

  // The same thing typed again: a child and date (a measurement), or an item, recipient and date
  // (a delivery's `slot`, "PMT-BALITA/p123").
  function sameSlot(a, b) {
    if (kindOf(a) !== kindOf(b) || a.date !== b.date) return false;
    return kindOf(a) === "delivery" ? a.slot === b.slot : a.child === b.child;
  }

  // A new entry replaces whatever of the same slot was still waiting, rejected or in conflict (the
  // user corrected it); a sent one stays as the record of what went.
  async function add(entry) {
    var d = await db();
    var tx = d.transaction("outbox", "readwrite");
    var existing = kindOf(entry) === "delivery" ? await tx.store.getAll() : await tx.store.index("posyandu").getAll(entry.posyandu);
    for (var i = 0; i < existing.length; i++) {
      var old = existing[i];
      if (sameSlot(old, entry) && old.status !== "accepted" && old.status !== "duplicate") {
        await tx.store.delete(old.uuid);
      }
    }
    var item = Object.assign({}, entry, {
      uuid: uuid4(), status: "pending", created_at: new Date().toISOString(),
      device_time: new Date().toISOString(), result: null,
    });
    await tx.store.put(item);
    await tx.done;
    return item;
  }

  function sent(item) {
    return item.status === "accepted" || item.status === "duplicate";
  }

  // The row was saved online after all (htmx): what still waited for it, or came back rejected
  // or in conflict, is superseded by that save.
  async function dropOpen(posyandu, date, child) {
    var items = await all(posyandu);
    for (var i = 0; i < items.length; i++) {
      if (items[i].date === date && items[i].child === child && !sent(items[i])) await remove(items[i].uuid);
    }
  }

  // Sent entries are kept for the cadre to check, then dropped after `days`.
  async function prune(days) {
    var limit = Date.now() - days * 86400000;
    var items = await all();
    for (var i = 0; i < items.length; i++) {
      if (sent(items[i]) && Date.parse(items[i].answered_at || items[i].created_at) < limit) await remove(items[i].uuid);
    }
  }

  async function remove(uuid) {
    await (await db()).delete("outbox", uuid);
  }

  async function clearSent() {
    var items = await all();
    for (var i = 0; i < items.length; i++) {
      if (sent(items[i])) await remove(items[i].uuid);
    }
  }

  function payload(item) {
    if (kindOf(item) === "delivery") {
      return {
        uuid: item.uuid, code: item.code, person: item.person || null, household: item.household || null,
        date: item.date, quantity: item.quantity, device_time: item.device_time,
      };
    }
    var hasLength = item.length_cm !== null && item.length_cm !== undefined;
    return {
      uuid: item.uuid, child: item.child, date: item.date,
      weight_kg: item.weight_kg, height_cm: item.length_cm, lila_cm: item.arm_circumference_cm,
      measured_lying: hasLength ? item.position === "l" : null,
      oedema: !!item.oedema, confirm: !!item.confirm, device_time: item.device_time,
    };
  }

  function withLock(fn) {
    var locks = root.navigator && root.navigator.locks;
    return locks ? locks.request(SYNC_TAG, fn) : fn();
  }

  // A page's part of the config (its bulk URL, the current CSRF token), kept with the other
  // page's part: the worker sends both kinds with what the pages last stored.
  async function setConfig(part) {
    await setMeta("config", Object.assign({}, (await getMeta("config")) || {}, part));
  }

  async function sendKind(config, kind, waiting) {
    var url = (kind === "delivery" ? config.delivery_bulk_url : config.bulk_url) || BULK_URLS[kind];
    var response;
    try {
      response = await fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": config.csrf, "Accept": "application/json" },
        body: JSON.stringify({ device_id: await deviceId(), items: waiting.map(payload) }),
      });
    } catch (e) {
      return { sent: 0, results: [], error: "offline" };
    }
    if (response.status === 401 || response.status === 403) return { sent: 0, results: [], error: "login" };
    if (!response.ok) return { sent: 0, results: [], error: "server", status: response.status };
    var body = await response.json();
    var results = body.results || [];
    var d = await db();
    for (var i = 0; i < results.length; i++) {
      var r = results[i];
      var item = await d.get("outbox", r.uuid);
      if (!item) continue;
      item.status = r.status;
      item.result = r;
      item.answered_at = new Date().toISOString();
      await d.put("outbox", item);
    }
    return { sent: waiting.length, results: results, error: null };
  }

  // Send every waiting entry, one bulk request per kind. Returns {sent, results, error} (summed
  // over the kinds); error is "offline" (no answer: entries stay waiting), "login" (401/403) or
  // "server" (other status), the first one met.
  function send() {
    return withLock(async function () {
      var config = await getMeta("config");
      var waiting = (await all()).filter(function (i) { return WAITING.indexOf(i.status) >= 0; });
      var report = { sent: 0, results: [], error: null };
      if (!config || !waiting.length) return report;
      var kinds = ["measurement", "delivery"];
      for (var k = 0; k < kinds.length; k++) {
        var mine = waiting.filter(function (i) { return kindOf(i) === kinds[k]; });
        if (!mine.length) continue;
        var one = await sendKind(config, kinds[k], mine);
        report.sent += one.sent;
        report.results = report.results.concat(one.results);
        if (one.error && !report.error) {
          report.error = one.error;
          report.status = one.status;
        }
      }
      return report;
    });
  }

  // Logging out on this phone removes the kept copies of the pages (names, ages, last values)
  // and of the rows saved online. The outbox stays: it holds work not yet on the server; it is
  // sent after the next login on this phone.
  function forgetPagesOnLogout(logoutUrl) {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form && form.action && logoutUrl && new URL(form.action, location.href).pathname === logoutUrl) {
        if (root.caches) root.caches.delete(SESSION_CACHE);
        forgetRows();
      }
    }, true);
  }

  // --- what both offline pages do the same way (session, distribution day); not used by the worker

  // Another send after a failed one (server error or no answer): after 5 s, then twice as long each
  // time up to 5 minutes; `reset()` after a send that got its answer.
  function retrier(send) {
    var FIRST_MS = 5000, MAX_MS = 300000;
    var timer = null, delay = FIRST_MS;
    return {
      later: function () {
        if (timer) return;
        timer = setTimeout(function () { timer = null; send(); }, delay);
        delay = Math.min(delay * 2, MAX_MS);
      },
      reset: function () { delay = FIRST_MS; },
    };
  }

  // On page load: ask the browser not to evict the outbox, make sure this phone has its device
  // id, and drop sent entries older than a week.
  async function preparePage() {
    if (root.navigator.storage && root.navigator.storage.persist) {
      root.navigator.storage.persist().catch(function () { return false; });
    }
    await deviceId();
    await prune(7);
  }

  // Rows saved online after this copy of the page was kept (the `rows` store) replace the rows
  // the copy shows unsaved; `keyOf(row)` is the row's key there. Returns whether any was replaced.
  async function restoreRows(rows, keyOf, renderedAt) {
    var restored = false;
    for (var i = 0; i < rows.length; i++) {
      var kept = await savedRow(keyOf(rows[i]));
      if (kept && Date.parse(kept.saved_at) > Date.parse(renderedAt)) {
        var holder = document.createElement("div");
        holder.innerHTML = kept.html;
        var fresh = holder.firstElementChild;
        rows[i].replaceWith(fresh);
        if (root.htmx) root.htmx.process(fresh);
        restored = true;
      }
    }
    return restored;
  }

  // Register the offline worker for this page's scope and have it keep this page; <html> gets
  // data-offline-ready="1" once the page is kept (the browser tests wait for it).
  // `controlledAtLoad`: a worker already served this page, so it kept it on the way in.
  async function keepPageOffline(swUrl, scope, controlledAtLoad) {
    root.navigator.serviceWorker.addEventListener("message", function (event) {
      if ((event.data || {}).type === "tumbuh-page-cached") document.documentElement.dataset.offlineReady = "1";
    });
    try {
      await root.navigator.serviceWorker.register(swUrl, { scope: scope });
      var reg = await root.navigator.serviceWorker.ready;
      if (controlledAtLoad) {
        document.documentElement.dataset.offlineReady = "1";
      } else if (reg.active) {
        reg.active.postMessage({ type: "tumbuh-cache-page", url: location.href });
      }
    } catch (e) { /* no worker (private window, http on another host): the page still works online */ }
  }

  // Small helpers of the pages (not used by the worker, which has no document).
  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return values[k] === undefined ? m : values[k]; });
  }

  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text === null || text === undefined ? "" : String(text);
    return div.innerHTML;
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  async function keepRow(key, html) {
    await (await db()).put("rows", { key: key, html: html, saved_at: new Date().toISOString() });
  }

  async function savedRow(key) {
    return (await db()).get("rows", key);
  }

  async function forgetRows() {
    await (await db()).clear("rows");
  }

  root.TumbuhOutbox = {
    SYNC_TAG: SYNC_TAG, SESSION_CACHE: SESSION_CACHE, kindOf: kindOf, setConfig: setConfig,
    fill: fill, esc: esc, csrfToken: csrfToken, forgetPagesOnLogout: forgetPagesOnLogout,
    retrier: retrier, preparePage: preparePage, restoreRows: restoreRows, keepPageOffline: keepPageOffline,
    add: add, all: all, remove: remove, dropOpen: dropOpen, prune: prune, clearSent: clearSent, send: send, deviceId: deviceId,
    getMeta: getMeta, setMeta: setMeta, payload: payload, keepRow: keepRow, savedRow: savedRow, forgetRows: forgetRows,
  };
})(typeof self !== "undefined" ? self : this);
