"""Issue 8 item 5: the review list starts from the pending reviews (an index in score order) and
checks each child's scope by a join, instead of `IN (every person in scope)`, which took 21-33 s
with 100,000 reviews; it shows what it showed before (bench: bench/bench_reviews.py)."""

import datetime as dt

import pytest
from django.db import connection

from tumbuh.accounts.models import Role
from tumbuh.imports.models import ImportBatch, MatchReview
from tumbuh.imports.selectors import reviews_for
from tumbuh.registry.testing import make_person, make_user, region_tree

BORN = dt.date(2024, 5, 1)


@pytest.fixture
def reviews(db):
    r = region_tree()
    batch = ImportBatch.objects.create(region=r["kota"], file_name="a.xlsx", file_sha256="0" * 64, status="done")
    k = [make_person(name=f"Kuala {i}", sex="F", birth_date=BORN, desa=r["desa1"], posyandu=r["pos1"]) for i in range(4)]
    t = [make_person(name=f"Tanjung {i}", sex="F", birth_date=BORN, desa=r["desa2"], posyandu=r["pos2"]) for i in range(2)]
    rows = {
        "kuala_low": MatchReview.objects.create(batch=batch, row_number=1, person=k[0], candidate=k[1], score=85),
        "kuala_high": MatchReview.objects.create(batch=batch, row_number=2, person=k[2], candidate=k[3], score=97),
        "across": MatchReview.objects.create(batch=batch, row_number=3, person=k[0], candidate=t[0], score=99),
        "tanjung": MatchReview.objects.create(batch=batch, row_number=4, person=t[0], candidate=t[1], score=90),
        "decided": MatchReview.objects.create(batch=batch, row_number=5, person=k[1], candidate=k[2], score=95,
                                              decision="different"),
    }
    return r, rows


def test_reviews_are_scoped_and_in_score_order(reviews):
    r, rows = reviews
    kota = make_user("kota", Role.KABUPATEN, region=r["kota"])
    kec1 = make_user("kec1", Role.KECAMATAN, region=r["kec1"])
    cadre = make_user("cadre", Role.CADRE, posyandu=r["pos2"])
    admin = make_user("adm", Role.ADMIN)
    names = {v.pk: k for k, v in rows.items()}
    assert [names[x.pk] for x in reviews_for(kota)] == ["across", "kuala_high", "tanjung", "kuala_low"]
    assert [names[x.pk] for x in reviews_for(admin)] == ["across", "kuala_high", "tanjung", "kuala_low"]
    # as before: only imports into a region the user may select (the kota's import is above kec1)
    assert [names[x.pk] for x in reviews_for(kec1)] == []
    assert [names[x.pk] for x in reviews_for(cadre)] == []  # the batch is the kota's, not the cadre's desa
    assert sorted(names[x.pk] for x in reviews_for(kota, pending_only=False)) == sorted(rows)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan wording")
def test_review_query_starts_from_the_pending_index_not_from_people(reviews):
    r, _rows = reviews
    for user in (make_user("kota", Role.KABUPATEN, region=r["kota"]), make_user("adm", Role.ADMIN)):
        sql, params = reviews_for(user)[:50].query.sql_with_params()
        assert 'IN (SELECT U0."id" FROM "registry_person"' not in sql
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = [row[-1] for row in cursor.fetchall()]
        assert "matchreview_decision_score" in plan[0], plan
        assert not any("registry_person" in p and "SCAN" in p for p in plan), plan
