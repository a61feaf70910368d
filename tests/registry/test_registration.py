"""Registering a child with a new mother and household, or an existing mother; all audited."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tumbuh.audit.models import AuditEvent
from tumbuh.registry.models import Household, Person
from tumbuh.registry.testing import make_household, make_person, nik_for


def _post(child_born, **extra):
    data = {
        "child-name": "Siti Aminah", "child-nik": nik_for(child_born, "F"), "child-sex": "F",
        "child-birth_date": child_born.isoformat(), "child-birth_weight_kg": "2.9",
        "child-desa": "64.74.01.1001", "child-posyandu": "",
        "mother_choice-mode": "new",
        "mother-name": "Nur Aini", "mother-nik": nik_for(dt.date(1995, 3, 4), "F"), "mother-birth_date": "1995-03-04",
        "household_choice-mode": "new",
        "household-kk_number": "6474010101200001", "household-head_name": "Ahmad",
        "household-address": "Jl. Kenari 5", "household-rt": "3", "household-rw": "12",
    }
    data.update(extra)
    return data


@pytest.fixture
def born():
    return timezone.localdate() - dt.timedelta(days=200)


@pytest.mark.django_db
def test_register_child_with_new_mother_and_household(client, kec1_user, regions, born):
    regions["pos1"]  # noqa: B018
    client.force_login(kec1_user)
    response = client.post(reverse("registry:child_create"), _post(born, **{"child-posyandu": regions["pos1"].pk}))
    child = Person.objects.get(name="Siti Aminah")
    assert response.status_code == 302 and response["Location"] == reverse("registry:child_detail", args=[child.pk])
    mother = child.mother
    household = child.household
    assert mother.name == "Nur Aini" and mother.sex == "F" and mother.household == household
    assert household.kk_number == "6474010101200001" and household.rt == "003" and household.rw == "012"
    assert household.desa_id == child.desa_id == mother.desa_id == "64.74.01.1001"
    assert child.created_by == kec1_user and child.posyandu == regions["pos1"]
    created = AuditEvent.objects.filter(action="create", user=kec1_user)
    assert sorted(created.values_list("object_type", flat=True)) == ["registry.household", "registry.person", "registry.person"]
    # The audit log does not repeat the NIK in full.
    assert all(child.nik not in str(e.detail) for e in created)


@pytest.mark.django_db
def test_register_child_with_existing_mother_joins_her_household(client, kec1_user, regions, born):
    household = make_household(desa=regions["desa1"], kk_number="6474010101200002")
    mother = make_person(name="Ibu Lama", sex="F", birth_date=dt.date(1990, 1, 2), desa=regions["desa1"], household=household)
    client.force_login(kec1_user)
    data = _post(born, **{"mother_choice-mode": "existing", "mother_choice-existing_nik": mother.nik,
                          "household_choice-mode": "mother"})
    response = client.post(reverse("registry:child_create"), data)
    assert response.status_code == 302
    child = Person.objects.get(name="Siti Aminah")
    assert child.mother == mother and child.household == household
    assert Person.objects.count() == 2 and Household.objects.count() == 1


@pytest.mark.django_db
def test_existing_mother_outside_scope_is_not_found(client, kec1_user, regions, born):
    other = make_person(name="Ibu Selatan", sex="F", birth_date=dt.date(1990, 1, 2), desa=regions["desa2"])
    client.force_login(kec1_user)
    data = _post(born, **{"mother_choice-mode": "existing", "mother_choice-existing_nik": other.nik,
                          "household_choice-mode": "none"})
    response = client.post(reverse("registry:child_create"), data)
    assert response.status_code == 200
    assert not Person.objects.filter(name="Siti Aminah").exists()
    assert response.context["forms"].mother_choice.errors["existing_nik"]


@pytest.mark.django_db
def test_nik_mismatch_needs_confirmation_and_keeps_input(client, kec1_user, born):
    client.force_login(kec1_user)
    data = _post(born, **{"child-sex": "M"})  # the NIK says female
    response = client.post(reverse("registry:child_create"), data)
    assert response.status_code == 200 and not Person.objects.exists()
    assert response.context["warnings"]
    assert 'name="confirm_warnings"' in response.content.decode()
    assert 'value="Siti Aminah"' in response.content.decode()
    response = client.post(reverse("registry:child_create"), {**data, "confirm_warnings": "1"})
    assert response.status_code == 302
    child = Person.objects.get(name="Siti Aminah")
    event = AuditEvent.objects.get(action="create", object_id=str(child.pk), object_type="registry.person")
    assert event.detail["nik_warnings"]


@pytest.mark.django_db
def test_invalid_household_rolls_back_everything(client, kec1_user, born):
    client.force_login(kec1_user)
    response = client.post(reverse("registry:child_create"), _post(born, **{"household-kk_number": "123"}))
    assert response.status_code == 200
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    assert response.context["forms"].new_household.errors["kk_number"]


@pytest.mark.django_db
def test_child_over_five_is_refused(client, kec1_user):
    client.force_login(kec1_user)
    old = timezone.localdate() - dt.timedelta(days=2000)
    response = client.post(reverse("registry:child_create"), _post(old, **{"child-nik": nik_for(old, "F")}))
    assert response.status_code == 200 and not Person.objects.filter(name="Siti Aminah").exists()
    assert response.context["forms"].child.errors["birth_date"]


@pytest.mark.django_db
def test_cadre_must_register_into_own_posyandu(client, cadre1, regions, born):
    client.force_login(cadre1)
    response = client.post(reverse("registry:child_create"), _post(born, **{"child-posyandu": regions["pos2"].pk}))
    assert response.status_code == 200 and not Person.objects.exists()
    response = client.post(reverse("registry:child_create"), _post(born, **{"child-posyandu": regions["pos1"].pk}))
    assert response.status_code == 302
    child = Person.objects.get(name="Siti Aminah")
    # The new mother follows the child's posyandu so the cadre can see her too.
    assert child.mother.posyandu == regions["pos1"]


@pytest.mark.django_db
def test_edit_person_is_audited_with_changed_fields(client, kec1_user, child1):
    client.force_login(kec1_user)
    url = reverse("registry:person_edit", args=[child1.pk])
    data = {"name": "Anak Satu Baru", "nik": child1.nik, "sex": "M", "birth_date": child1.birth_date.isoformat(),
            "desa": child1.desa_id, "posyandu": child1.posyandu_id, "active": "on"}
    assert client.post(url, data).status_code == 302
    child1.refresh_from_db()
    assert child1.name == "Anak Satu Baru"
    event = AuditEvent.objects.get(action="update", object_id=str(child1.pk))
    assert event.detail["fields"] == ["name"]


@pytest.mark.django_db
def test_household_page_and_edit(client, kec1_user, regions, child1):
    household = make_household(desa=regions["desa1"], kk_number="6474010101200003")
    child1.household = household
    child1.save()
    client.force_login(kec1_user)
    page = client.get(reverse("registry:household_detail", args=[household.pk]))
    assert page.status_code == 200 and "Anak Satu" in page.content.decode()
    assert AuditEvent.objects.filter(action="view", object_type="registry.household").exists()
    data = {"kk_number": "6474010101200003", "head_name": "Baru", "address": "Jl. Baru", "rt": "7", "rw": "1",
            "desa": "64.74.01.1001"}
    assert client.post(reverse("registry:household_edit", args=[household.pk]), data).status_code == 302
    household.refresh_from_db()
    assert household.rt == "007" and household.head_name == "Baru"


@pytest.mark.django_db
def test_mother_search_finds_women_in_scope_only(client, kec1_user, regions):
    make_person(name="Ibu Melati", sex="F", birth_date=dt.date(1990, 1, 2), desa=regions["desa1"])
    make_person(name="Ibu Mawar", sex="F", birth_date=dt.date(1991, 1, 2), desa=regions["desa2"])
    make_person(name="Ibu Laki", sex="M", birth_date=dt.date(1991, 1, 2), desa=regions["desa1"])
    client.force_login(kec1_user)
    html = client.get(reverse("registry:mother_search"), {"mother_choice-search": "Ibu"}).content.decode()
    assert "Ibu Melati" in html and "Ibu Mawar" not in html and "Ibu Laki" not in html
    assert AuditEvent.objects.filter(action="view_list", summary="pencarian ibu").exists()  # in the user's language


# --- issue 8, item 19 --------------------------------------------------------------------------

@pytest.mark.django_db
def test_sex_radio_preselects_nothing_and_is_marked_required(client, kec1_user, regions):
    client.force_login(kec1_user)
    html = client.get(reverse("registry:child_create")).content.decode()
    radios = [line for line in html.split("<input") if 'name="child-sex"' in line]
    assert len(radios) == 2  # Laki-laki, Perempuan: no "---------"
    assert "---------" not in "".join(radios) and all("checked" not in r for r in radios)
    assert 'id="id_child-sex_label">Jenis kelamin<abbr class="required-mark"' in html


@pytest.mark.django_db
def test_inactive_says_moved_or_died(client, kec1_user, child1):
    client.force_login(kec1_user)
    url = reverse("registry:person_edit", args=[child1.pk])
    data = {"name": child1.name, "nik": "", "sex": child1.sex, "birth_date": child1.birth_date.isoformat(),
            "desa": child1.desa_id, "posyandu": child1.posyandu_id or ""}
    response = client.post(url, data)  # active unticked, no reason
    assert response.status_code == 200
    assert "pindah atau meninggal" in str(response.context["form"].errors["inactive_reason"])
    child1.refresh_from_db()
    assert child1.active

    assert client.post(url, {**data, "inactive_reason": "died"}).status_code == 302
    child1.refresh_from_db()
    assert (child1.active, child1.inactive_reason) == (False, "died")
    page = client.get(reverse("registry:child_detail", args=[child1.pk])).content.decode()
    assert "tidak aktif (meninggal)" in page
    event = AuditEvent.objects.filter(action="update", object_id=str(child1.pk)).latest("pk")
    assert "inactive_reason" in event.detail["fields"]

    # Active again: the reason goes.
    assert client.post(url, {**data, "active": "on", "inactive_reason": "died"}).status_code == 302
    child1.refresh_from_db()
    assert (child1.active, child1.inactive_reason) == (True, "")


@pytest.mark.django_db
def test_control_characters_in_a_form_are_removed_before_anything_is_stored(client, kec1_user, regions, born):
    """Issue 16 item 3: a pasted "\\x02¥\\x04" made every export containing it fail. Every posted form
    loses such characters before its view runs (tumbuh.web.middleware); tab and line breaks stay."""
    client.force_login(kec1_user)
    data = _post(born, **{"child-posyandu": regions["pos1"].pk, "child-name": "Siti\x02 Am\x7fin\x85ah",
                          "household-address": "Jl. Kenari\x1b 5"})
    response = client.post(reverse("registry:child_create"), data)
    assert response.status_code == 302
    child = Person.objects.get(nik=data["child-nik"])
    assert child.name == "Siti Aminah" and child.household.address == "Jl. Kenari 5"
