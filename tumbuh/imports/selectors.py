"""Reads for the import pages, always through the user's scope."""

from __future__ import annotations

from django.http import Http404

from tumbuh.regions.selectors import regions_for
from tumbuh.registry.selectors import people_for

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
    """Reviews where both children are inside the user's scope."""
    people = people_for(user)
    qs = MatchReview.objects.filter(
        batch__in=batches_for(user), person__in=people, candidate__in=people
    ).select_related("person", "candidate", "batch", "person__posyandu", "candidate__posyandu")
    if pending_only:
        qs = qs.filter(decision=MatchReview.Decision.PENDING)
    return qs
