"""Convergence rows for the access-test world (tumbuh.accounts.testing, build_world(full=True)):
the stored gaps of every corner (computed from the world's children, measurements and target
records), and per corner one not-applicable mark. `world.convergence["gap"][corner]` is the
PMT-BALITA gap of the corner's child (a DINKES item, so the home kota's DINKES officer sees the
gaps of the four 64.74 corners); `["not_applicable"][corner]` marks its VIT-A gap refused."""

from __future__ import annotations

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import CHILDREN, EXPECTED_VISIBLE

from . import services
from .models import Gap, NotApplicable

# Whose gaps each home user sees: as people (EXPECTED_VISIBLE), and the home kota's DINKES
# officer the DINKES items of the four corners in Kota Bontang (written out, not derived).
EXPECTED_VISIBLE_GAPS = {
    **EXPECTED_VISIBLE,
    Role.OPD: {"home", "other_posyandu", "other_desa", "other_kecamatan"},
}


def build_convergence(world) -> dict:
    services.refresh_region("")
    out: dict[str, dict] = {"gap": {}, "not_applicable": {}}
    for key in CHILDREN:
        child = world.children[key]
        out["gap"][key] = Gap.objects.get(person=child, rule_id="balita-pmt")
        vita = Gap.objects.get(person=child, rule_id="balita-vita")
        out["not_applicable"][key] = NotApplicable.objects.create(
            subject=vita.subject, person=child, desa_id=vita.desa_id, posyandu_id=vita.posyandu_id,
            rule_id=vita.rule_id, item_code=vita.item_code, agency_code=vita.agency_code, since=vita.since,
            reason=NotApplicable.Reason.REFUSED, note=f"Ditolak {child.name.split()[1]}")
    services.refresh_region("")
    world.convergence = out
    return out
