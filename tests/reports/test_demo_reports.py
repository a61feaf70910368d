"""The demo hook: reports in every state the pages show, rebuilt on each run."""

import datetime as dt

from tumbuh.reports import demo, selectors
from tumbuh.reports.models import SemesterReport, Status

AUGUST = dt.date(2026, 8, 1)  # semester I ended; its kecamatan reports were due on 20 July


def test_demo_seeds_a_submitted_a_draft_and_the_kota_roll_up(bontang):
    for _run in range(2):  # a second run rebuilds, it does not add
        out = demo.seed("64.74", AUGUST)
    assert out == {"period": "2026-S1", "submitted": 1, "draft": 1, "status": Status.DRAFT}
    assert SemesterReport.objects.count() == 3
    utara = SemesterReport.objects.get(region=bontang["utara"])
    assert utara.status == Status.SUBMITTED and utara.snapshot["sections"]["prevalence"]["headline"]["stunting"]["rate"] == 25.0
    inbox = {c["region"].code: c for c in selectors.incoming_for(bontang["users"]["kota"], 2026, 1, AUGUST)}
    assert not inbox["64.74.01"]["late"] and inbox["64.74.02"]["late"]  # only Utara sent in time
    kota = SemesterReport.objects.get(region=bontang["kota"])
    assert kota.rolled_up == [utara.pk] and "Bontang Utara: Sweeping" in kota.follow_up
