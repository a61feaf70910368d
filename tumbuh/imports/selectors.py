"""Reads for the import pages, always through the user's scope."""

from __future__ import annotations

from django.http import Http404

from tumbuh.accounts.scoping import is_admin, person_scope_q
from tumbuh.regions.selectors import regions_for

from .models import ImportBatch, MatchReview


def batches_for(user):
    """Imports into a region the user may see (an import's rows are that region's data)."""
    return ImportBatch.objects.filter(region__in=regions_for(user)).select_related("region", "user")


def batch_for(user, pk: int) -> ImportBatch:
    batch = batches_for(user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def reviews_for(user, *, pending_only: bool = True):
    """Reviews where both children are inside the user's scope, from an import into a region the
    user may see.

    Written so the database starts from the reviews, not from the people: the scope is a join to
    each child's own row (`person_scope_q` through `person__`/`candidate__`), not `IN (every person
    in scope)`, and pending reviews come off the (decision, score) index in page order. With
    100,000 review rows and 50,000 children the page answers in milliseconds (bench/bench_reviews.py)
    instead of the 21-33 s of the `IN` subqueries for a kota, a province or an administrator."""
    qs = MatchReview.objects.filter(
        person_scope_q(user, prefix="person__"), person_scope_q(user, prefix="candidate__"),
        person__isnull=False,
    )
    if not is_admin(user):
        qs = qs.filter(batch__region__in=regions_for(user))
    qs = qs.select_related("person", "candidate", "batch", "person__posyandu", "candidate__posyandu")
    if pending_only:
        qs = qs.filter(decision=MatchReview.Decision.PENDING)
    return qs.order_by("-score", "pk")
