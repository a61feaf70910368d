"""Reads for the import pages, always through the user's scope."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from tumbuh.accounts.scoping import scope_for
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
    """Reviews where both children are inside the user's scope."""
    people = people_for(user)
    qs = MatchReview.objects.filter(
        batch__in=batches_for(user), person__in=people, candidate__in=people
    ).select_related("person", "candidate", "batch", "person__posyandu", "candidate__posyandu")
    if pending_only:
        qs = qs.filter(decision=MatchReview.Decision.PENDING)
    return qs


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
