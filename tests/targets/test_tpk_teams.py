"""TPK teams on pages, not only in the Django admin (issue 9 item 7): a kecamatan team forms a
team in one of its desa, names its members, assigns families (KRS first) and removes them; all
audited. A cadre sees the teams but manages none; another kecamatan cannot open the team."""

import pytest
from django.urls import reverse

from tumbuh.audit.models import AuditEvent
from tumbuh.registry.testing import make_household
from tumbuh.targets import rules, services
from tumbuh.targets.models import KrsSnapshot, TpkAssignment, TpkTeam

pytestmark = pytest.mark.django_db


def test_a_team_is_formed_and_given_families_krs_first(client, kec1_user, regions):
    plain = make_household(desa=regions["desa1"], address="Jl. Biasa 1")
    plain.head_name = "Ahmad Biasa"
    plain.save()
    risky = make_household(desa=regions["desa1"], address="Jl. Rawan 2")
    risky.head_name = "Zainal Rawan"
    risky.save()
    KrsSnapshot.objects.create(household=risky, desa_id=risky.desa_id, period=rules.semester_of(services.today()),
                               krs=True, target=True)
    client.force_login(kec1_user)
    response = client.post(reverse("targets:team_new"), {"name": "  Tim  Melati ", "desa": regions["desa1"].code,
                                                         "bidan": "Bd. Sari", "kader_pkk": "Ibu Rina"})
    team = TpkTeam.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("targets:team_detail", args=[team.pk])
    assert (team.name, team.bidan, team.kader_pkk, team.desa_id) == ("Tim Melati", "Bd. Sari", "Ibu Rina",
                                                                      regions["desa1"].code)
    # The same name twice in one desa is refused in Indonesian, nothing stored.
    again = client.post(reverse("targets:team_new"), {"name": "tim melati", "desa": regions["desa1"].code})
    assert "sudah ada" in again.content.decode() and TpkTeam.objects.count() == 1

    page = client.get(reverse("targets:team_detail", args=[team.pk])).content.decode()
    assert page.index("Zainal Rawan") < page.index("Ahmad Biasa")  # the KRS family first, though later by name
    client.post(reverse("targets:team_detail", args=[team.pk]),
                {"action": "assign", "household": [str(risky.pk), str(plain.pk)]})
    assert set(TpkAssignment.objects.filter(team=team).values_list("household_id", flat=True)) == {risky.pk, plain.pk}
    page = client.get(reverse("targets:team_detail", args=[team.pk])).content.decode()
    assert "Semua keluarga di desa/kelurahan ini sudah didampingi." in page
    client.post(reverse("targets:team_detail", args=[team.pk]), {"action": "unassign", "household": [str(plain.pk)]})
    assert list(TpkAssignment.objects.filter(team=team).values_list("household_id", flat=True)) == [risky.pk]
    client.post(reverse("targets:team_detail", args=[team.pk]),
                {"action": "save", "name": "Tim Melati", "bidan": "Bd. Sari", "kader_kb": "Pak Budi"})
    team.refresh_from_db()
    assert team.kader_kb == "Pak Budi" and team.active is False  # "active" unticked: the team is stood down
    events = AuditEvent.objects.filter(user=kec1_user)
    assert events.filter(action="create", object_type="targets.tpkteam").count() == 1
    assert events.filter(action="update", object_type="targets.tpkteam").get().detail["changes"]["kader_kb"] == ["", "Pak Budi"]
    assert events.filter(action="update", object_type="registry.household").count() == 3  # 2 assigned, 1 removed


def test_a_cadre_sees_teams_but_manages_none_and_another_kecamatan_cannot_open_it(client, kec1_user, kec2_user,
                                                                                  cadre1, regions):
    team = services.save_team(kec1_user, {"name": "Tim Mawar", "desa": regions["desa1"]})
    household = make_household(desa=regions["desa1"])
    client.force_login(cadre1)
    assert "Tim TPK baru" not in client.get(reverse("targets:teams")).content.decode()
    assert client.get(reverse("targets:team_new")).status_code == 403
    client.post(reverse("targets:team_detail", args=[team.pk]), {"action": "assign", "household": [str(household.pk)]})
    assert not TpkAssignment.objects.exists()
    client.force_login(kec2_user)
    assert client.get(reverse("targets:team_detail", args=[team.pk])).status_code == 404
    response = client.post(reverse("targets:team_new"), {"name": "Tim Luar", "desa": regions["desa1"].code})
    assert response.status_code == 200 and TpkTeam.objects.count() == 1  # desa1 is not among kec2's choices
