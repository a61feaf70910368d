"""Signals of the measurements app.

`measurements_changed(sender, child_ids=..., region_code=...)`: sent once at the end of every bulk
write path (`derivation.recompute_children`, `recompute_all`, the importer's new children), inside
the writer's transaction, with the children whose measurements changed (or, from recompute_all,
`child_ids=None` and the region recomputed, "" = everything). Analytics keeps its summary table
fresh from it.
"""

from django.dispatch import Signal

measurements_changed = Signal()
