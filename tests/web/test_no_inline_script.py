"""No inline JavaScript (issue 16 item 7: CSP without 'unsafe-inline' for scripts): every template
is free of event-handler attributes and of <script> elements without a src, and every page
answers with a Content-Security-Policy whose script-src is 'self' only."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = sorted((Path(settings.BASE_DIR) / "tumbuh").glob("*/templates/**/*.html"))
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def test_templates_found():
    assert len(TEMPLATES) > 50


def test_no_event_handler_attributes_or_inline_scripts():
    offenders = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for pattern in (HANDLER, INLINE_SCRIPT):
            for m in pattern.finditer(text):
                line = text[: m.start()].count("\n") + 1
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {m.group(0).strip()}")
    assert not offenders, "use data attributes (tumbuh/web/static/web/behaviours.js):\n" + "\n".join(offenders)


def test_csp_refuses_inline_script(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script and "unsafe-inline" not in script and "unsafe-eval" not in script
