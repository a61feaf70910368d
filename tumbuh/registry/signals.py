"""Signals of the registry app.

`people_changed(sender, child_ids=..., desa_codes=..., region_code=...)`: sent by the registry
services when a person is registered, edited (moved, deactivated, birth date corrected...) or by
bulk deleters, with the people and every desa they were counted in before and after. Analytics
keeps its summary table (which counts registered children and keys cells by home desa) fresh.
"""

from django.dispatch import Signal

people_changed = Signal()
