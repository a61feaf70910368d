"""Results of costly read-only computations (the dashboard), kept per process and reused while
the data they were computed from is unchanged.

Freshness comes from `DataVersion`: every write transaction raises its number inside the same
transaction (`bump`, wired in apps.py to post_save/post_delete/m2m_changed of every Tumbuh model
but the audit log, and to the bulk signals measurements_changed / people_changed /
deliveries_changed / the summary refresh). A reader takes the version first, then the data:

- it sees the old version and new data (a write committed in between): its result is stored
  under the old version, which no later reader asks for again;
- it sees the new version: the write's data committed in the same instant, so it sees it too.

So a reused result is never older than the last committed write: the guide's "fresh after every
write" holds without a cache to clear. Keys carry the scope (who), the arguments and today's date
(ages and "latest complete period" move with the calendar, not only with writes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone

MAX_ENTRIES = 64  # per process; a kabupaten dashboard is ~100 kB of figures, a province more

_lock = threading.Lock()
_store: OrderedDict[Hashable, Any] = OrderedDict()

# Tumbuh apps whose writes do not change what memoized pages compute: the audit log (written by
# reads), and accounts (a login saves last_login; who sees what is in the key as the scope).
_SKIP_APPS = frozenset({"audit", "accounts"})


def version() -> int:
    from .models import DataVersion

    n = DataVersion.objects.filter(pk=1).values_list("n", flat=True).first()
    return int(n or 0)


def bump() -> None:
    """Raise the data version, in the caller's transaction."""
    from .models import DataVersion

    if not DataVersion.objects.filter(pk=1).update(n=F("n") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"n": 1})


def counts_as_data(model) -> bool:
    meta = model._meta
    return model.__module__.startswith("tumbuh.") and meta.app_label not in _SKIP_APPS \
        and meta.model_name != "dataversion"


def memoized(namespace: str, key: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()`'s result for (namespace, key) at the current data version and date.

    Inside a transaction nothing is kept or reused: what it reads may be its own uncommitted
    writes, and a rollback would take the version back while a result computed from them stayed
    (the test suite runs every test inside one; `tests/analytics/test_memo.py` lifts this rule
    through `_in_transaction` and checks it on its own)."""
    if _in_transaction():
        return compute()
    full = (namespace, key, version(), timezone.localdate(), connection.settings_dict.get("NAME"))
    with _lock:
        if full in _store:
            _store.move_to_end(full)
            return _store[full]
    value = compute()
    with _lock:
        _store[full] = value
        _store.move_to_end(full)
        while len(_store) > MAX_ENTRIES:
            _store.popitem(last=False)
    return value


def _in_transaction() -> bool:
    return connection.in_atomic_block


def clear() -> None:
    with _lock:
        _store.clear()
