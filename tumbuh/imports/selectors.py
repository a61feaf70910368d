"""Reads for the import pages, always through the user's scope."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from tumbuh.accounts.scoping import is_admin, person_scope_q, scope_for
from tumbuh.regions.selectors import regions_for
from tumbuh.registry.selectors import people_for

from .models import ImportBatch, ImportRow, MatchReview


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


def delivery_reviews_for(user, *, pending_only: bool = True):
    """Held delivery-list rows (imports.deliveries) whose proposed recipient is inside the user's
    scope, from an import into a region the user may see: the same scoping as `reviews_for`
    (the row names no person of Tumbuh; the candidate is the one it would be recorded for)."""
    qs = MatchReview.objects.filter(person_scope_q(user, prefix="candidate__"), person__isnull=True).exclude(row_key="")
    if not is_admin(user):
        qs = qs.filter(batch__region__in=regions_for(user))
    qs = qs.select_related("candidate", "batch", "candidate__posyandu")
    if pending_only:
        qs = qs.filter(decision=MatchReview.Decision.PENDING)
    return qs.order_by("-score", "pk")


def delivery_decisions_for(user):
    """Decisions on held delivery rows the user may undo: the held rows `delivery_reviews_for`
    scopes, decided, with what the decision did kept on the review (services.undo_delivery_review).
    Newest first, like `merges_for`."""
    return (delivery_reviews_for(user, pending_only=False).exclude(decision=MatchReview.Decision.PENDING)
            .filter(held__has_key="decision").select_related("decided_by").order_by("-decided_at", "-pk"))


def merges_for(user):
    """Merges the user may undo: "same child" decisions with their undo record, from an import
    into a region the user may see, whose kept child is in the user's scope (the merged child's
    row is gone: its data now is the kept child's). Newest first."""
    qs = MatchReview.objects.filter(
        person_scope_q(user, prefix="candidate__"), decision=MatchReview.Decision.SAME,
    ).exclude(merge_record={})
    if not is_admin(user):
        qs = qs.filter(batch__region__in=regions_for(user))
    return qs.select_related("candidate", "candidate__posyandu", "decided_by").order_by("-decided_at", "-pk")


def may_see_rejected_rows(user, batch: ImportBatch) -> bool:
    """A rejected row belongs to no child and may name a child of any desa (that is often why it
    was rejected): its raw cells are shown only to the uploader and to roles above the file's
    region (whose area holds the file's whole region and its neighbours), and administrators."""
    scope = scope_for(user)
    if scope.is_empty:
        return False
    if scope.everything or (batch.user_id is not None and batch.user_id == scope.user_id):
        return True
    code = scope.region_code
    return bool(code) and not scope.posyandu_ids and batch.region_id.startswith(code + ".")


def rows_for(user, batch: ImportBatch):
    """The batch's rows the user may see: rows of children in the user's scope, plus the
    rejected rows when may_see_rejected_rows()."""
    visible = Q(person__in=people_for(user).values("pk"))
    if may_see_rejected_rows(user, batch):
        visible |= Q(outcome=ImportRow.Outcome.REJECTED)
    return batch.rows.filter(visible)
