"""Coordination rows for the access-test world (tumbuh.accounts.testing, build_world(full=True)):
in every corner, placed at the corner's desa, an aksi record with one evidence file, a meeting with
a commitment, a self-assessment and a case review of the corner's child, so the scoping matrix
probes the coordination pages with outsiders' ids. Visibility: EXPECTED_VISIBLE_COORDINATION.
Primary keys are fixed and disjoint from the world's (11xxx-16xxx). The evidence files go to
MEDIA_ROOT: point it at a temporary directory first."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from .models import AksiRecord, Assessment, CaseReview, Commitment, Evidence, Meeting, PublicPage

PK_BASE = {"aksi": 11001, "meeting": 12001, "commitment": 13001, "evidence": 14001, "assessment": 15001,
           "case": 16001}


def build_coordination(world) -> dict[str, dict]:
    today = timezone.localdate()
    out: dict[str, dict] = {k: {} for k in PK_BASE}
    for i, (key, child) in enumerate(world.children.items()):
        desa = child.desa_id
        surname = child.name.split()[1]
        aksi = AksiRecord.objects.create(pk=PK_BASE["aksi"] + i, region_id=desa, year=today.year,
                                         framework="aksi8", number=1 + i, notes=f"Aksi {surname}")
        meeting = Meeting.objects.create(pk=PK_BASE["meeting"] + i, title=f"Rembuk {surname}", date=today,
                                         region_id=desa)
        commitment = Commitment.objects.create(pk=PK_BASE["commitment"] + i, region_id=desa, meeting=meeting,
                                               what=f"Komitmen {surname}", due_date=today + dt.timedelta(days=30))
        evidence = Evidence(pk=PK_BASE["evidence"] + i, region_id=desa, aksi=aksi, original_name="bukti.txt",
                            content_type="text/plain", size=6, description=f"Bukti {surname}")
        evidence.file.save("bukti.txt", ContentFile(b"bukti\n"), save=False)
        evidence.save()
        # One assessment per region and year: the two corners of the home desa take two years.
        assessment = Assessment.objects.create(pk=PK_BASE["assessment"] + i, region_id=desa,
                                               year=today.year - (key == "other_posyandu"),
                                               framework="aksi8")
        case = CaseReview.objects.create(pk=PK_BASE["case"] + i, region_id=desa, child=child, reviewed_on=today,
                                         findings=f"Temuan {surname}")
        for kind, obj in (("aksi", aksi), ("meeting", meeting), ("commitment", commitment), ("evidence", evidence),
                          ("assessment", assessment), ("case", case)):
            out[kind][key] = obj
    # The home kota's public page exists, disabled (the matrix's public_toggle payloads rely on it).
    out["public_page"] = {"home": PublicPage.objects.create(region_id=world.children["home"].desa_id[:5], enabled=False)}
    world.coordination = out
    return out
