"""Signals of the interventions app.

`deliveries_changed(sender, person_ids=..., household_ids=..., desa_codes=...)`: sent by every
write path of `services` (one delivery, a bulk of deliveries, a void) inside the writer's
transaction, with the recipients whose deliveries changed and the desa they live in. Structures
maintained from deliveries (the convergence gap lists) listen to it, so a read after the write's
commit is fresh.
"""

from django.dispatch import Signal

deliveries_changed = Signal()
