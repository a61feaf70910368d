"""The API's JSON parser: DRF's, with control characters removed from every string of the body
(issue 16 item 3; tumbuh.web.text.strip_control, the same cleaning as imports and web forms), so
a name like "\\x02¥\\x04" sent by a client is stored as "¥" and can never break an export. Tab,
line feed and carriage return are kept."""

from __future__ import annotations

from rest_framework.parsers import JSONParser

from tumbuh.web.text import strip_control


def _clean(value):
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {strip_control(k) if isinstance(k, str) else k: _clean(v) for k, v in value.items()}
    return value


class CleanJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _clean(super().parse(stream, media_type, parser_context))
