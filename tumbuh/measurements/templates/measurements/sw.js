// Service worker of the offline posyandu session (docs/offline.md), rendered by
// measurements.views.service_worker. Workbox (npm, served from /static/vendor/, never a CDN):
// the app shell is precached; a session page is network-first and kept in the cache each time it
// is opened online, so it opens with no connection; entries waiting in the IndexedDB outbox
// (outbox.js, shared with the page) are sent on Background Sync where the browser has it.
"use strict";
const CONFIG = {{ config|safe }};
importScripts(...CONFIG.workbox, CONFIG.idb, CONFIG.outbox);

const SESSION_CACHE = self.TumbuhOutbox.SESSION_CACHE;
self.skipWaiting();
workbox.core.clientsClaim();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(CONFIG.precache);

// Only a real page of the session is kept: never a login page reached through a redirect, never
// an error page.
const onlyPages = {
  cacheWillUpdate: async ({ response }) =>
    response && response.status === 200 && !response.redirected ? response : null,
};
const sessionPattern = new RegExp(CONFIG.session_pattern);
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.origin === self.location.origin && sessionPattern.test(url.pathname),
  new workbox.strategies.NetworkFirst({
    cacheName: SESSION_CACHE, networkTimeoutSeconds: 10, plugins: [onlyPages],
    // Django varies on Cookie and Accept-Language: the kept page is this user's anyway.
    matchOptions: { ignoreVary: true },
  })
);

async function tellPages(message) {
  const pages = await self.clients.matchAll({ type: "window" });
  pages.forEach((page) => page.postMessage(message));
}

self.addEventListener("sync", (event) => {
  if (event.tag !== self.TumbuhOutbox.SYNC_TAG) return;
  event.waitUntil(
    self.TumbuhOutbox.send().then(async (report) => {
      await tellPages({ type: "tumbuh-outbox-sent", report });
      // A failed send rejects, so the browser retries the sync later (with its own back-off).
      if (report.error === "server" || report.error === "offline") throw new Error("outbox not sent: " + report.error);
    })
  );
});

self.addEventListener("message", (event) => {
  // The page asks to keep the session it just opened (the first visit, before this worker
  // controlled it, was not seen by the route above).
  const data = event.data || {};
  if (data.type === "tumbuh-cache-page" && data.url) {
    event.waitUntil(
      fetch(data.url, { credentials: "same-origin" }).then(async (response) => {
        const kept = await onlyPages.cacheWillUpdate({ response });
        if (kept) {
          await (await caches.open(SESSION_CACHE)).put(data.url, kept);
          if (event.source) event.source.postMessage({ type: "tumbuh-page-cached", url: data.url });
        }
      }).catch(() => undefined)
    );
  }
});
