"""Interventions rows for the access-test world (tumbuh.accounts.testing, build_world(full=True)):
per corner, a delivery of a DINKES item (VIT-A) and of a DPPKB item (KIE-PENGASUHAN) to the
corner's child, a household delivery (JAMBAN, PERKIM) to its household, a PMT-BALITA course of the
child, a foster parent placed at the corner's desa with a BAAS pledge to the child, and a plan
(VIT-A) of the corner kota's DINKES for the corner's desa (the two corners of the home desa take two years); per kab/kota, a DINKES agency and a
local override of PMT-BALITA (a 90-day course). Primary keys are fixed and disjoint from the
world's (25xxx-31xxx). Stored in `world.interventions` (kind -> corner -> row).

What each home user must see is written out below, not derived from the code under test. An OPD
officer (DINKES of the home kota) sees the home kota's corners for items their agency is
responsible for, and nothing of other agencies' items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tumbuh.accounts.models import Role
from tumbuh.accounts.testing import EXPECTED_VISIBLE, EXPECTED_VISIBLE_PLACES
from tumbuh.coordination.models import Agency, AgencyKind

from .models import CatalogueItem, Course, Delivery, Plan, Pledge

PK_BASE = {"delivery": 25001, "delivery_other": 25101, "household_delivery": 25201, "course": 26001,
           "pledge": 27001, "plan": 28001, "catalogue_item": 29001, "sponsor": 30001, "dinkes": 31001}

HOME_KOTA = {"home", "other_posyandu", "other_desa", "other_kecamatan"}

# Rows of DINKES items (VIT-A deliveries, PMT-BALITA courses): the people each role sees, and for
# the home kota's DINKES officer the home kota.
EXPECTED_VISIBLE_INTERVENTIONS = {**EXPECTED_VISIBLE, Role.OPD: HOME_KOTA}
# Places the interventions pages may name for each role (desa choices, a row's desa).
EXPECTED_PLACES_INTERVENTIONS = {**EXPECTED_VISIBLE_PLACES, Role.OPD: HOME_KOTA}
# Rows of other agencies' items (KIE-PENGASUHAN and BAAS of DPPKB, JAMBAN of PERKIM): never the
# DINKES officer's.
EXPECTED_VISIBLE_OTHER_ITEMS = {**EXPECTED_VISIBLE, Role.OPD: set()}
# Plans (placed by desa, like households): the role's area; a cadre's scope is people, not a
# place; the DINKES officer the home kota's DINKES-item plans.
EXPECTED_VISIBLE_PLANS = {**EXPECTED_VISIBLE_PLACES, Role.CADRE: set(), Role.OPD: HOME_KOTA}
# Local catalogue rows (one per kab/kota: the corners of that kota map to it): a province team sees
# the local rows of its kab/kota, everyone else their own kab/kota's; the DINKES officer theirs
# (PMT-BALITA is a DINKES item).
EXPECTED_VISIBLE_CATALOGUE = {
    Role.CADRE: HOME_KOTA, Role.PUSKESMAS: HOME_KOTA, Role.DESA: HOME_KOTA, Role.KECAMATAN: HOME_KOTA,
    Role.KABUPATEN: HOME_KOTA, Role.PROVINSI: HOME_KOTA | {"other_kabupaten"}, Role.OPD: HOME_KOTA,
    Role.ADMIN: HOME_KOTA | {"other_kabupaten", "other_provinsi"},
}
# Foster parents placed at the corner's desa (the sponsor page): by place; the OPD officer sees
# only their own agency.
EXPECTED_VISIBLE_SPONSORS = {**EXPECTED_VISIBLE_PLACES, Role.OPD: set()}


def build_interventions(world) -> dict[str, dict]:
    today = timezone.localdate()
    out: dict[str, dict] = {k: {} for k in PK_BASE}
    national = {i.code: i for i in CatalogueItem.objects.filter(region__isnull=True)}
    if "PMT-BALITA" not in national:
        # A transactional test elsewhere on this worker may have flushed the migration's rows.
        from .catalogue import load_catalogue

        load_catalogue()
        national = {i.code: i for i in CatalogueItem.objects.filter(region__isnull=True)}
    kotas = sorted({c.desa_id[:5] for c in world.children.values()})
    dinkes, local = {}, {}
    for j, kota in enumerate(kotas):
        if kota == "64.74":
            dinkes[kota] = world.agencies["home"]
        else:
            dinkes[kota] = Agency.objects.create(pk=PK_BASE["dinkes"] + j, region_id=kota, code="DINKES",
                                                 name=f"Dinas Kesehatan Kota {j + 1}")
        base = national["PMT-BALITA"]
        local[kota] = CatalogueItem.objects.create(
            pk=PK_BASE["catalogue_item"] + j, code="PMT-BALITA", region_id=kota, name=f"PMT lokal kota {j + 1}",
            kind=base.kind, target_group=base.target_group, unit=base.unit, default_agency_code="DINKES",
            course_days=[90], course_amount=Decimal(90), source=base.source, version="lokal")
    for i, (key, child) in enumerate(world.children.items()):
        kota = child.desa_id[:5]
        place = {"desa_id": child.desa_id, "posyandu_id": child.posyandu_id}
        household = world.households[key]
        course = Course.objects.create(
            pk=PK_BASE["course"] + i, item=local[kota], code="PMT-BALITA", person=child, agency=dinkes[kota],
            start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=59), planned_amount=Decimal(90),
            unit="hari", **place)
        sponsor = Agency.objects.create(pk=PK_BASE["sponsor"] + i, region_id=child.desa_id, code=f"OTA-{i + 1}",
                                        name=f"Bunda Asuh Nomor {i + 1}", kind=AgencyKind.FOSTER_PARENT)
        pledge = Pledge.objects.create(pk=PK_BASE["pledge"] + i, sponsor=sponsor, child=child,
                                       amount_per_month=Decimal(500000), months=6,
                                       start=today - dt.timedelta(days=20), **place)
        rows = {
            "delivery": Delivery.objects.create(
                pk=PK_BASE["delivery"] + i, item=national["VIT-A"], code="VIT-A", person=child, date=today,
                quantity=1, unit="kapsul", agency=dinkes[kota], fund_source="APBD", **place),
            "delivery_other": Delivery.objects.create(
                pk=PK_BASE["delivery_other"] + i, item=national["KIE-PENGASUHAN"], code="KIE-PENGASUHAN",
                person=child, date=today, quantity=1, unit="kunjungan", **place),
            "household_delivery": Delivery.objects.create(
                pk=PK_BASE["household_delivery"] + i, item=national["JAMBAN"], code="JAMBAN", household=household,
                date=today, quantity=1, unit="unit", fund_source="APBDes", desa_id=household.desa_id),
            "course": course, "sponsor": sponsor, "pledge": pledge,
            "plan": Plan.objects.create(pk=PK_BASE["plan"] + i, agency=dinkes[kota], code="VIT-A",
                                        desa_id=child.desa_id, year=today.year - (key == "other_posyandu"),
                                        planned_quantity=Decimal(40)),
            "catalogue_item": local[kota],
        }
        Delivery.objects.create(pk=25301 + i, item=local[kota], code="PMT-BALITA", person=child, date=today, quantity=7,
                                unit="hari", course=course, agency=dinkes[kota], **place)
        Delivery.objects.create(pk=25401 + i, item=national["BAAS"], code="BAAS", person=child, date=today,
                                quantity=Decimal(500000), unit="rupiah", pledge=pledge, fund_source="BAAS", **place)
        for kind, obj in rows.items():
            out[kind][key] = obj
    out["dinkes"] = dinkes
    world.interventions = out
    return out
