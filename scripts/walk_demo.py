#!/usr/bin/env python3
"""Walk the synthetic demo as each demo user, screenshot every page, run automatic checks.

Usage (against a running demo server, e.g. `TUMBUH_DEMO=1 tumbuh demo && tumbuh serve`)::

    .venv/bin/python scripts/walk_demo.py --base-url http://127.0.0.1:8000 --out /tmp/walk/out
    # options: --users admin,kader.melati1  --password tumbuh-demo  --max-pages 70
    #          --chromium /usr/bin/chromium  --viewports 1366x900,390x844

For every demo user the script logs in through the login form, collects the main navigation
links (plus the "my account" link), follows each once, then the obvious sub-pages reached from
them (the first link of each new URL shape: a child page, a register, a gap, a report, ...; up
to two levels deep). Only GET navigations are made; the login form is the only form submitted.
Links that change data or download files (new/edit/delete/void/…, xlsx/pdf/ics, ?format=,
?download=) are skipped.

Each page is visited at every viewport (default 1366x900 and 390x844). A full-page screenshot
goes to ``<out>/<role>/<viewport>/<slug>.png`` and these checks are recorded per page:

* HTTP status other than 200, and sub-resources answering 4xx/5xx or failing;
* horizontal overflow on narrow viewports (scrollWidth > innerWidth + 1), with the widest
  elements that stick out of the viewport and are not inside a scrolling container;
* visible English words in Indonesian mode (whole words, with context);
* decimals written with a point (``12.5%``, z-scores ``-2.28``, ``12.5 kg``) and English
  thousand separators (``10,000``);
* dates and times in non-Indonesian formats (``2026-12-04``, ``Dec``, ``Aug``, ``12/04/2026``,
  AM/PM) and time zones other than WITA (Kota Bontang is UTC+8);
* empty labels (``Penurunan terbesar: ·``), ``None``/``nan``/``undefined``, template leftovers;
* console errors (``console`` events of type error and uncaught ``pageerror``).

All findings go to ``<out>/findings.json`` and a readable ``<out>/findings.md``. Nothing here
needs the internet: Chromium (Debian's /usr/bin/chromium by default) is driven by Playwright.
One browser, one page at a time, so the load on the server stays modest.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, OrderedDict
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# username -> role (directory name); the seven roles of the demo plus the administrator.
DEMO_USERS = OrderedDict(
    [
        ("admin", "admin"),
        ("provinsi.kaltim", "provinsi"),
        ("tpps.bontang", "kabupaten"),
        ("kec.bontangutara", "kecamatan"),
        ("kel.bontangkuala", "desa"),
        ("pkm.bontangutara1", "puskesmas"),
        ("kader.melati1", "cadre"),
        ("opd.dinkes.bontang", "opd"),
    ]
)

# Path fragments of links that change data, download files or leave the walk.
SKIP_PATH = re.compile(
    r"/(new|edit|delete|void|restore|action|toggle|revoke|decide|undo|undo-merge|"
    r"undo-delivery|cancel|logout|download|export|setlang|sw\.js|progress)(/|$)"
    r"|\.(xlsx|xls|csv|pdf|ics|zip|json|png|svg|js|css)$"
    r"|^/admin/|^/api/|^/static/|^/media/|^/i18n/"
)
SKIP_QUERY_KEYS = {"format", "download", "export"}
# Query keys that only page or sort a list: links differing in them are the same page shape.
IGNORED_QUERY_KEYS = {"page", "sort", "order", "o", "dir"}

# English words that should not be visible in Indonesian mode. Regex (whole words), severity.
# "Stunting" is the official Indonesian term too; "Semester", "Status", "Data", "Dashboard",
# "Filter", "Total" are shared by both languages and are not listed.
ENGLISH_WORDS = [
    (r"Regency", "high"), (r"District", "high"), (r"Village", "high"), (r"Province", "high"),
    (r"Wasting", "low"), (r"Underweight", "low"), (r"Overweight", "low"),
    (r"Age group", "high"), (r"Female", "high"), (r"Male", "high"), (r"Boys?", "high"),
    (r"Girls?", "high"), (r"Months?", "high"), (r"Quarter", "high"), (r"Weeks?", "high"),
    (r"Years?", "high"), (r"Days?", "high"), (r"Today", "high"), (r"Yesterday", "high"),
    (r"Not Found", "high"), (r"Forbidden", "high"), (r"Page", "high"), (r"Next", "high"),
    (r"Previous", "high"), (r"Search", "high"), (r"Submit", "high"), (r"Save", "high"),
    (r"Cancel", "high"), (r"Delete", "high"), (r"Loading", "high"), (r"Error", "high"),
    (r"children list", "high"), (r"child page", "high"), (r"Children", "high"),
    (r"Child", "high"), (r"Mother", "high"), (r"Father", "high"), (r"Household", "high"),
    (r"Weight", "high"), (r"Height", "high"), (r"Length", "high"), (r"Name", "high"),
    (r"Address", "high"), (r"Date", "high"), (r"Home", "high"), (r"Log out", "high"),
    (r"Sessions?", "high"), (r"Target groups?", "high"), (r"Interventions?", "high"),
    (r"Coordination", "high"), (r"Reports?", "high"), (r"Import", "high"),
    (r"Download", "high"), (r"Show", "high"), (r"Back", "high"), (r"Close", "high"),
    (r"Yes", "high"), (r"None", "high"), (r"Unknown", "high"), (r"Other", "high"),
    (r"Pending", "high"), (r"Done", "high"), (r"Submitted", "high"), (r"Approved", "high"),
    (r"Rejected", "high"), (r"Overdue", "high"), (r"Delivered", "high"), (r"Deadline", "high"),
    (r"Meetings?", "high"), (r"Commitments?", "high"), (r"Gaps?", "high"), (r"Progress", "high"),
    (r"Coverage", "high"), (r"Prevalence", "high"), (r"Trend", "low"), (r"Sample", "high"),
    (r"small sample", "high"), (r"Average", "high"), (r"Count", "high"),
    (r"the", "high"), (r"and", "high"), (r"of", "high"), (r"with", "high"), (r"from", "high"),
    (r"not", "high"), (r"is", "high"), (r"are", "high"), (r"this", "high"), (r"by", "high"),
    (r"all", "high"),
]
ENGLISH_RE = [
    (w, sev, re.compile(r"(?<![\w/-])" + w + r"(?![\w/-])", re.I if w.islower() else 0))
    for w, sev in ENGLISH_WORDS
]

NUMBER_PATTERNS = [
    ("decimal point in a percentage", re.compile(r"(?<![\d.,])\d+\.\d+\s?%")),
    ("decimal point in a z-score", re.compile(r"(?<![\w.,])[-+−]\d{1,2}\.\d{1,3}(?![\d.])")),
    ("decimal point with a unit",
     re.compile(r"(?<![\d.,])\d+\.\d{1,2}\s?(kg|cm|mm|g/dL|gram|ml|th|bl)\b")),
    ("English thousand separator", re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,.])")),
]
DATE_PATTERNS = [
    ("ISO date", re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")),
    ("US/slash date", re.compile(r"(?<!\d)\d{1,2}/\d{1,2}/\d{2,4}(?!\d)")),
    ("English month", re.compile(
        r"(?<![\w])(January|February|March|June|July|August|October|December|May|Aug|Oct|Dec)"
        r"(?![\w])")),
    ("English weekday", re.compile(
        r"(?<![\w])(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|"
        r"Fri|Sat|Sun)(?![\w])")),
    ("AM/PM time", re.compile(r"\d{1,2}[:.]\d{2}\s?(AM|PM|a\.m\.|p\.m\.)", re.I)),
    ("time zone not WITA", re.compile(r"(?<![\w])(WIB|WIT|UTC|GMT)(?![\w])|[+-]00:00")),
]
EMPTY_PATTERNS = [
    ("empty label", re.compile(r"[^\s:]:\s*·")),
    ("empty label", re.compile(r"·\s*·")),
    ("empty parentheses", re.compile(r"\(\s*\)")),
    ("raw None/nan/undefined", re.compile(r"(?<![\w])(None|nan|NaN|undefined|null|Infinity)(?![\w])")),
    ("template leftover", re.compile(r"\{\{|\}\}|\{%|%\}")),
]

# JavaScript run in the page: visible text (skipping <code>, [translate=no], hidden elements,
# <script>/<style>), split by block, plus overflow data.
JS_VISIBLE_TEXT = r"""
() => {
  const out = [];
  const skip = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const t = e.tagName;
      if (t === 'SCRIPT' || t === 'STYLE' || t === 'NOSCRIPT' || t === 'CODE' || t === 'TEMPLATE')
        return true;
      if (e.getAttribute && e.getAttribute('translate') === 'no') return true;
    }
    return false;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const s = n.nodeValue.replace(/\s+/g, ' ').trim();
    if (!s) continue;
    const el = n.parentElement;
    if (!el || skip(el)) continue;
    if (el.checkVisibility && !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}))
      continue;
    out.push(s);
  }
  return out;
}
"""
JS_OVERFLOW = r"""
() => {
  const vw = window.innerWidth;
  const sw = document.documentElement.scrollWidth;
  const res = {scrollWidth: sw, innerWidth: vw, offenders: []};
  if (sw <= vw + 1) return res;
  const clipped = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') return true;
    }
    return false;
  };
  const describe = (el) => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += '#' + el.id;
    if (el.classList.length) d += '.' + Array.from(el.classList).slice(0, 3).join('.');
    const path = [];
    for (let e = el.parentElement; e && e !== document.body && path.length < 3; e = e.parentElement) {
      let p = e.tagName.toLowerCase();
      if (e.id) p += '#' + e.id; else if (e.classList.length) p += '.' + e.classList[0];
      path.unshift(p);
    }
    return {el: d, path: path.join(' > '),
            text: (el.innerText || '').replace(/\s+/g, ' ').trim().slice(0, 80)};
  };
  const cands = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= vw + 1) continue;
    if (clipped(el)) continue;
    cands.push({el, right: r.right + window.scrollX, width: r.width});
  }
  // The outermost offenders first: an element whose parent also sticks out is less useful.
  const set = new Set(cands.map(c => c.el));
  const roots = cands.filter(c => !set.has(c.el.parentElement) || c.width > c.el.parentElement.getBoundingClientRect().width + 1);
  roots.sort((a, b) => b.right - a.right || b.width - a.width);
  res.offenders = roots.slice(0, 4).map(c => Object.assign(describe(c.el),
      {right: Math.round(c.right), width: Math.round(c.width)}));
  return res;
}
"""
JS_LINKS = r"""
(sel) => Array.from(document.querySelectorAll(sel)).map(a => ({
  href: a.href, text: (a.innerText || a.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim()
}))
"""


def slugify(url: str, base: str) -> str:
    parts = urlsplit(url)
    path = parts.path.strip("/") or "home"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-").lower()
    if parts.query:
        q = re.sub(r"[^A-Za-z0-9]+", "-", parts.query).strip("-").lower()
        slug += "--" + q[:60]
    return slug[:120]


def url_shape(url: str) -> str:
    """Links with the same shape lead to the same kind of page: only the first is walked."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/<n>", parts.path)
    path = re.sub(r"/[0-9a-f]{16,}(?=/|$)", "/<token>", path)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} - IGNORED_QUERY_KEYS)
    return path + ("?" + "&".join(keys) if keys else "")


def walkable(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    if SKIP_PATH.search(parts.path):
        return False
    keys = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if keys & SKIP_QUERY_KEYS:
        return False
    return True


def normalise(url: str) -> str:
    parts = urlsplit(url)
    q = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{urlencode(q)}" if q else "")


def context_of(text: str, start: int, end: int, width: int = 40) -> str:
    a, b = max(0, start - width), min(len(text), end + width)
    return ("…" if a else "") + text[a:b].replace("\n", " ⏎ ") + ("…" if b < len(text) else "")


def text_checks(blocks: list[str]) -> list[dict]:
    """Checks on the visible text; one finding per (kind, match), with up to 3 contexts."""
    text = "\n".join(blocks)
    found: dict[tuple, dict] = {}

    def add(kind, match, severity, ctx):
        key = (kind, match)
        f = found.setdefault(key, {"check": kind, "match": match, "severity": severity,
                                   "count": 0, "contexts": []})
        f["count"] += 1
        if len(f["contexts"]) < 3:
            f["contexts"].append(ctx)

    for _word, sev, rx in ENGLISH_RE:
        for m in rx.finditer(text):
            add("english", m.group(0), sev, context_of(text, m.start(), m.end()))
    for kind, rx in NUMBER_PATTERNS:
        for m in rx.finditer(text):
            add(kind, m.group(0), "medium", context_of(text, m.start(), m.end()))
    for kind, rx in DATE_PATTERNS:
        for m in rx.finditer(text):
            add(kind, m.group(0), "medium", context_of(text, m.start(), m.end()))
    for kind, rx in EMPTY_PATTERNS:
        for m in rx.finditer(text):
            add(kind, m.group(0).strip(), "medium", context_of(text, m.start(), m.end()))
    return list(found.values())


class Walker:
    def __init__(self, browser, base_url: str, out: Path, password: str, max_pages: int,
                 viewports: list[tuple[int, int]], timeout_ms: int):
        self.browser = browser
        self.base = base_url.rstrip("/")
        self.origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.base))
        self.out = out
        self.password = password
        self.max_pages = max_pages
        self.viewports = viewports
        self.timeout = timeout_ms

    # -- one browser context per user and viewport --------------------------------------------
    def new_context(self, vw: int, vh: int):
        mobile = vw < 700
        ctx = self.browser.new_context(
            viewport={"width": vw, "height": vh}, is_mobile=mobile, has_touch=mobile,
            device_scale_factor=1, locale="id-ID", timezone_id="Asia/Makassar",
            service_workers="block", accept_downloads=False,
        )
        ctx.set_default_timeout(self.timeout)
        return ctx

    def login(self, page, username: str) -> dict:
        page.goto(self.base + "/accounts/login/", wait_until="load")
        page.fill("#id_username", username)
        page.fill("#id_password", self.password)
        with page.expect_navigation(wait_until="load"):
            page.click("form[action$='/accounts/login/'] button[type=submit]")
        ok = "/accounts/login/" not in page.url
        return {"ok": ok, "url": page.url}

    def visit(self, page, url: str, events: dict):
        events["console"].clear()
        events["pageerror"].clear()
        events["bad_responses"].clear()
        t0 = time.monotonic()
        status, err = None, None
        try:
            resp = page.goto(url, wait_until="load")
            status = resp.status if resp else None
        except PlaywrightError as exc:  # timeouts, aborted navigations (downloads)
            err = str(exc).splitlines()[0]
        try:
            page.wait_for_load_state("networkidle", timeout=4000)
        except PlaywrightError:
            pass
        return status, err, round(time.monotonic() - t0, 2)

    def screenshot(self, page, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            height = page.evaluate("document.documentElement.scrollHeight")
            width = page.evaluate("document.documentElement.scrollWidth")
            if height > 16000:  # very long lists: the top 16,000 px are enough to judge
                page.screenshot(path=str(path), full_page=True,
                                clip={"x": 0, "y": 0, "width": width, "height": 16000})
            else:
                page.screenshot(path=str(path), full_page=True)
            return str(path)
        except PlaywrightError as exc:
            return f"(screenshot failed: {str(exc).splitlines()[0]})"

    def page_checks(self, page, vw: int) -> dict:
        blocks = page.evaluate(JS_VISIBLE_TEXT)
        res = {"title": page.title(), "text_findings": text_checks(blocks)}
        lang = page.evaluate("document.documentElement.lang")
        res["lang"] = lang
        if vw < 700:
            res["overflow"] = page.evaluate(JS_OVERFLOW)
        return res

    def discover(self, page, selector: str) -> list[dict]:
        try:
            links = page.evaluate(JS_LINKS, selector)
        except PlaywrightError:
            return []
        out, seen = [], set()
        for link in links:
            href = urljoin(page.url, link["href"]).split("#")[0]
            if not href or not walkable(href, self.origin):
                continue
            href = normalise(href)
            if href in seen:
                continue
            seen.add(href)
            out.append({"url": href, "text": link["text"][:60]})
        return out

    # -- the walk of one user ---------------------------------------------------------------------
    def walk_user(self, username: str, role: str) -> dict:
        result = {"username": username, "role": role, "pages": [], "login": {}}
        vw, vh = self.viewports[0]
        plan = self.plan_and_walk(username, role, vw, vh, result)
        for vw, vh in self.viewports[1:]:
            self.walk_list(username, role, vw, vh, plan, result)
        return result

    def attach_events(self, page):
        events = {"console": [], "pageerror": [], "bad_responses": []}
        page.on("console", lambda m: events["console"].append(m.text[:300])
                if m.type == "error" else None)
        page.on("pageerror", lambda e: events["pageerror"].append(str(e)[:300]))

        def on_response(r):
            if r.status >= 400 and r.request.resource_type != "document":
                events["bad_responses"].append(f"{r.status} {r.url}")
        page.on("response", on_response)
        page.on("requestfailed", lambda r: events["bad_responses"].append(
            f"failed {r.url} ({r.failure})") if r.resource_type != "document" else None)
        return events

    def record(self, page, events, url, via, depth, role, vw, vh, result):
        status, err, secs = self.visit(page, url, events)
        slug = slugify(url, self.base)
        shot = self.screenshot(page, self.out / role / f"{vw}x{vh}" / f"{slug}.png")
        try:
            checks = self.page_checks(page, vw)
        except PlaywrightError as exc:
            checks = {"title": "", "text_findings": [], "error": str(exc).splitlines()[0]}
        entry = {
            "viewport": f"{vw}x{vh}", "url": url, "final_url": page.url, "slug": slug,
            "via": via, "depth": depth, "status": status, "error": err, "seconds": secs,
            "screenshot": shot, "console_errors": list(events["console"]),
            "page_errors": list(events["pageerror"]),
            "bad_subresources": list(events["bad_responses"]), **checks,
        }
        result["pages"].append(entry)
        flag = "" if status == 200 else f"  <-- {status or err}"
        print(f"  [{role} {vw}] {status} {secs:5.1f}s {url}{flag}", flush=True)
        return entry

    def plan_and_walk(self, username, role, vw, vh, result) -> list[tuple]:
        ctx = self.new_context(vw, vh)
        page = ctx.new_page()
        events = self.attach_events(page)
        try:
            result["login"] = self.login(page, username)
            if not result["login"]["ok"]:
                print(f"  login failed for {username}", flush=True)
                return []
            home = normalise(page.url)
            nav = self.discover(page, "nav.mainnav a[href], .whoami a[href]")
            result["nav"] = nav
            # Queue items: (depth, rank among its parent's links, sequence, url, via). The next
            # page is the smallest: all nav pages first, then the first sub-page of every nav
            # page, then the second of every one, ... so the cap cuts evenly across sections.
            queue = [(0, 0, 0, home, "login")] + [
                (1, 0, k + 1, n["url"], "nav: " + n["text"]) for k, n in enumerate(nav)]
            seq = len(queue)
            seen_urls, seen_shapes = set(), {url_shape(q[3]) for q in queue}
            plan = []
            while queue and len(plan) < self.max_pages:
                queue.sort()
                depth, _, _, url, via = queue.pop(0)
                if url in seen_urls:
                    continue
                seen_urls.add(url)
                self.record(page, events, url, via, depth, role, vw, vh, result)
                plan.append((url, via, depth))
                if depth >= 3:
                    continue
                per_page = 8 if depth <= 1 else 4
                added = 0
                for link in self.discover(page, "main a[href]"):
                    shape = url_shape(link["url"])
                    if shape in seen_shapes:
                        continue
                    seen_shapes.add(shape)
                    seq += 1
                    queue.append((depth + 1, added, seq, link["url"], f"{url} → {link['text']}"))
                    added += 1
                    if added >= per_page:
                        break
            result["skipped_for_cap"] = [q[3] for q in sorted(queue) if q[3] not in seen_urls]
            return plan
        finally:
            ctx.close()

    def walk_list(self, username, role, vw, vh, plan, result):
        if not plan:
            return
        ctx = self.new_context(vw, vh)
        page = ctx.new_page()
        events = self.attach_events(page)
        try:
            if not self.login(page, username)["ok"]:
                return
            for url, via, depth in plan:
                self.record(page, events, url, via, depth, role, vw, vh, result)
            # The phone menu, opened: the home page with the toggle checked.
            if vw < 700:
                self.visit(page, plan[0][0], events)
                try:
                    page.click("label.menu-toggle-label", timeout=3000)
                    page.wait_for_timeout(300)
                    self.screenshot(page, self.out / role / f"{vw}x{vh}" / "home--menu-open.png")
                except PlaywrightError:
                    pass
        finally:
            ctx.close()


# -- reports ------------------------------------------------------------------------------------
def page_problems(p: dict) -> list[tuple[str, str, str]]:
    """(check, severity, text) for one page entry."""
    probs = []
    if p["status"] != 200:
        probs.append(("http status", "high", f"HTTP {p['status']} {p.get('error') or ''}".strip()))
    if p.get("lang") and p["lang"] != "id":
        probs.append(("language", "high", f"<html lang={p['lang']}>"))
    ov = p.get("overflow")
    if ov and ov["scrollWidth"] > ov["innerWidth"] + 1:
        widest = "; ".join(f"{o['el']} (in {o['path'] or 'body'}, right edge {o['right']} px, "
                           f"“{o['text'][:50]}”)" for o in ov["offenders"][:2]) or "?"
        probs.append(("horizontal overflow", "high",
                      f"{ov['scrollWidth'] - ov['innerWidth']} px wider than the viewport; widest: {widest}"))
    for c in p.get("console_errors", []):
        probs.append(("console error", "high", c))
    for c in p.get("page_errors", []):
        probs.append(("page error", "high", c))
    for c in p.get("bad_subresources", []):
        probs.append(("sub-resource", "medium", c))
    for f in p.get("text_findings", []):
        ctx = " | ".join(f["contexts"])
        probs.append((f["check"], f["severity"], f"“{f['match']}” ×{f['count']}: {ctx}"))
    return probs


def write_reports(out: Path, results: list[dict], base_url: str):
    findings = []
    for r in results:
        for p in r["pages"]:
            for check, sev, text in page_problems(p):
                findings.append({"role": r["role"], "username": r["username"], "url": p["url"],
                                 "viewport": p["viewport"], "check": check, "severity": sev,
                                 "detail": text, "screenshot": p["screenshot"]})
    data = {"base_url": base_url, "generated": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            "users": results, "findings": findings,
            "summary": {
                "pages": sum(len(r["pages"]) for r in results),
                "by_check": dict(Counter(f["check"] for f in findings)),
                "by_role": dict(Counter(f["role"] for f in findings)),
                "by_severity": dict(Counter(f["severity"] for f in findings)),
            }}
    (out / "findings.json").write_text(json.dumps(data, indent=1, ensure_ascii=False))

    lines = [f"# Demo walk: {base_url}", "", f"Generated {data['generated']}; "
             f"{data['summary']['pages']} page views, {len(findings)} findings.", "",
             "## Summary", "", "| check | findings | pages (url × viewport) |", "|---|---|---|"]
    pages_by_check = {}
    for f in findings:
        pages_by_check.setdefault(f["check"], set()).add((f["role"], f["url"], f["viewport"]))
    for check, n in Counter(f["check"] for f in findings).most_common():
        lines.append(f"| {check} | {n} | {len(pages_by_check[check])} |")
    lines += ["", "| role | page views | non-200 | findings |", "|---|---|---|---|"]
    for r in results:
        n_f = sum(1 for f in findings if f["role"] == r["role"])
        bad = sum(1 for p in r["pages"] if p["status"] != 200)
        login = "" if r.get("login", {}).get("ok") else " (login failed)"
        lines.append(f"| {r['role']} ({r['username']}){login} | {len(r['pages'])} | {bad} | {n_f} |")
    for r in results:
        lines += ["", f"## {r['role']} — {r['username']}", ""]
        if r.get("nav"):
            lines.append("Navigation: " + ", ".join(f"{n['text']} ({urlsplit(n['url']).path})"
                                                    for n in r["nav"]))
            lines.append("")
        for p in r["pages"]:
            probs = page_problems(p)
            head = (f"### {p['viewport']} {urlsplit(p['url']).path}"
                    f"{'?' + urlsplit(p['url']).query if urlsplit(p['url']).query else ''} — "
                    f"HTTP {p['status']}, {p['seconds']} s — {p.get('title', '')}")
            lines.append(head)
            lines.append(f"screenshot: `{p['screenshot']}`; via {p['via']}")
            for check, sev, text in probs:
                lines.append(f"- **{check}** ({sev}): {text}")
            if not probs:
                lines.append("- no automatic findings")
            lines.append("")
        if r.get("skipped_for_cap"):
            lines.append("Not walked (page cap): " + ", ".join(r["skipped_for_cap"][:30]))
    (out / "findings.md").write_text("\n".join(lines) + "\n")
    return data


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000")
    ap.add_argument("--out", required=True, type=Path, help="output directory")
    ap.add_argument("--users", default=",".join(DEMO_USERS),
                    help="comma-separated demo usernames (default: all eight)")
    ap.add_argument("--password", default="tumbuh-demo")
    ap.add_argument("--max-pages", type=int, default=70, help="pages per user (default 70)")
    ap.add_argument("--viewports", default="1366x900,390x844")
    ap.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium executable")
    ap.add_argument("--timeout", type=int, default=90, help="seconds per navigation")
    args = ap.parse_args(argv)

    viewports = [tuple(int(x) for x in v.split("x")) for v in args.viewports.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    users = [u.strip() for u in args.users.split(",") if u.strip()]
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium,
                                    args=["--disable-gpu", "--no-sandbox"])
        walker = Walker(browser, args.base_url, args.out, args.password, args.max_pages,
                        viewports, args.timeout * 1000)
        try:
            for username in users:
                role = DEMO_USERS.get(username, username)
                print(f"{username} ({role})", flush=True)
                results.append(walker.walk_user(username, role))
                write_reports(args.out, results, args.base_url)  # partial results survive a crash
        finally:
            browser.close()
    data = write_reports(args.out, results, args.base_url)
    s = data["summary"]
    print(f"{s['pages']} page views, {len(data['findings'])} findings: {s['by_check']}")
    print(f"reports: {args.out / 'findings.md'}, {args.out / 'findings.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
