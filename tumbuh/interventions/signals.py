"""Signals of the interventions app.

`deliveries_changed(sender, person_ids=..., household_ids=..., desa_codes=...)`: sent by the
interventions write services (record, edit, void, import of deliveries and courses) inside the
writer's transaction, with the people and households whose deliveries changed and the desa they
were placed in. Convergence keeps its gap table fresh from it.
"""

from django.dispatch import Signal

deliveries_changed = Signal()
