"""The posyandu session screen and the per-child form, through the Django test client."""

import datetime as dt

import pytest
from django.urls import reverse

from tumbuh.audit.models import AuditEvent
from tumbuh.measurements.models import Measurement
from tumbuh.measurements.services import record_measurement

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def children(make_child):
    return {
        "ani": make_child("Ani", sex="F", age_days=300),
        "bayu": make_child("Bayu", sex="M", age_days=900),
        "old": make_child("Sudah Besar", age_days=1900),
        "gone": make_child("Pindah", age_days=500, active=False),
        "other": make_child("Lain Posyandu", age_days=500, posyandu="pos_b"),
    }


@pytest.fixture
def client_a(client, cadre_a):
    client.force_login(cadre_a)
    return client


def session_url(places, today, key="pos_a"):
    return reverse("measurements:session", args=[places[key].pk]) + f"?date={today.isoformat()}"


def row_url(places, child, key="pos_a"):
    return reverse("measurements:session_row", args=[places[key].pk, child.pk])


def test_anonymous_is_sent_to_login(client, places):
    response = client.get(reverse("measurements:session_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_session_list_shows_only_own_posyandu(client_a, places, children):
    html = client_a.get(reverse("measurements:session_list")).content.decode()
    assert "Posyandu Melati" in html and "Posyandu Mawar" not in html


def test_session_lists_active_balita_with_default_position(client_a, places, children, today, cadre_a):
    response = client_a.get(session_url(places, today))
    html = response.content.decode()
    for present in ("ani", "bayu"):
        assert f'id="row-{children[present].pk}"' in html
    for absent in ("old", "gone", "other"):
        assert f'id="row-{children[absent].pk}"' not in html
    rows = {r.child.name: r for r in response.context["rows"]}
    assert rows["Ani"].default_position == "l" and rows["Bayu"].default_position == "h"
    assert response.context["measured"] == 0 and response.context["expected"] == 2
    assert "diukur pada tanggal ini: <strong>0</strong> dari 2" in html
    assert 'inputmode="decimal"' in html and 'name="weight_kg"' in html and 'name="length_cm"' in html
    event = AuditEvent.objects.get(action="view_list")
    assert event.user == cadre_a and event.region_code == places["desa_a"].code


def test_other_posyandu_session_is_404(client_a, places, today):
    assert client_a.get(session_url(places, today, "pos_b")).status_code == 404


def test_htmx_row_saves_with_comma_decimals_and_shows_badges(client_a, places, children, today, cadre_a):
    ani = children["ani"]
    response = client_a.post(row_url(places, ani), {
        "date": today.isoformat(), "weight_kg": "8,4", "length_cm": "68,5", "position": "l"}, **HTMX)
    assert response.status_code == 200
    m = Measurement.objects.get(child=ani)
    assert (m.weight_kg, m.length_cm, m.position, m.measured_on) == (8.4, 68.5, "l", today)
    assert m.posyandu == places["pos_a"] and m.measured_by == cadre_a
    html = response.content.decode()
    assert html.lstrip().startswith(f'<form id="row-{ani.pk}"')
    assert 'data-result="saved"' in html
    assert f'data-code="{m.length_for_age_category}"' in html and "TB/U: " in html
    assert 'class="badge blue" title="baru pertama kali ditimbang" data-code="B"' in html
    assert 'value="8,4"' in html  # the saved value comes back as typed, decimal comma
    assert 'id="session-progress"' in html and 'hx-swap-oob="true"' in html
    assert "<strong>1</strong> dari 2" in html
    assert AuditEvent.objects.filter(action="create", object_id=str(m.pk)).exists()


def test_htmx_row_error_keeps_typed_values_and_saves_nothing(client_a, places, children, today):
    ani = children["ani"]
    response = client_a.post(row_url(places, ani), {
        "date": today.isoformat(), "weight_kg": "8400", "length_cm": "68,5", "position": "l"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-result="error"' in html and "tampaknya dalam gram" in html
    assert 'value="8400"' in html and 'value="68,5"' in html
    assert 'aria-invalid="true"' in html
    assert not Measurement.objects.exists()


def test_unparseable_number_is_an_error_not_a_crash(client_a, places, children, today):
    response = client_a.post(row_url(places, children["ani"]), {
        "date": today.isoformat(), "weight_kg": "8,4,1", "length_cm": ""}, **HTMX)
    assert response.status_code == 200 and "8,4,1" in response.content.decode()
    assert not Measurement.objects.exists()


def test_warning_is_shown_after_saving(client_a, places, children, today):
    bayu = children["bayu"]  # 900 days: measured lying gets the 0.7 cm warning
    html = client_a.post(row_url(places, bayu), {
        "date": today.isoformat(), "weight_kg": "12", "length_cm": "86", "position": "l"}, **HTMX).content.decode()
    assert "dikurangi 0,7 cm" in html


def test_other_posyandu_child_is_404(client_a, places, children, today):
    other = children["other"]
    data = {"date": today.isoformat(), "weight_kg": "9"}
    assert client_a.post(row_url(places, other), data, **HTMX).status_code == 404
    assert client_a.post(row_url(places, other, "pos_b"), data, **HTMX).status_code == 404
    assert not Measurement.objects.exists()


def test_no_js_post_redirects_back_to_the_session(client_a, places, children, today):
    ani = children["ani"]
    response = client_a.post(row_url(places, ani), {
        "date": today.isoformat(), "weight_kg": "8.4", "length_cm": "68.5", "position": "l"})
    assert response.status_code == 302
    assert response["Location"] == session_url(places, today) + f"#row-{ani.pk}"
    assert Measurement.objects.get(child=ani).weight_kg == 8.4
    page = client_a.get(response["Location"]).content.decode()
    assert "Tersimpan: Ani" in page


def test_no_js_error_renders_the_page_with_the_row_errors(client_a, places, children, today):
    ani = children["ani"]
    response = client_a.post(row_url(places, ani), {
        "date": today.isoformat(), "weight_kg": "8,4", "length_cm": "685", "position": "l"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "tampaknya dalam milimeter" in html and 'value="685"' in html
    bayu = children["bayu"]
    assert f'id="row-{bayu.pk}"' in html
    assert not Measurement.objects.exists()


def test_get_on_row_url_is_not_allowed(client_a, places, children):
    assert client_a.get(row_url(places, children["ani"])).status_code == 405


def test_session_page_queries_do_not_grow_with_children(client_a, places, make_child, today, django_assert_max_num_queries):
    for i in range(3):
        c = make_child(f"Anak {i}", age_days=200 + i * 100)
        record_measurement(child=c, measured_on=today - dt.timedelta(days=30), weight_kg=8.0, length_cm=70.0, position="l")
    with django_assert_max_num_queries(12) as small:
        client_a.get(session_url(places, today))
    for i in range(15):
        c = make_child(f"Anak lagi {i}", age_days=200 + i * 50)
        record_measurement(child=c, measured_on=today - dt.timedelta(days=30), weight_kg=8.0, length_cm=70.0, position="l")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client_a.get(session_url(places, today))


def test_add_for_child_form_saves_and_audits(client_a, places, children, today, cadre_a):
    ani = children["ani"]
    url = reverse("measurements:add_for_child", args=[ani.pk])
    assert client_a.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="view", object_id=str(ani.pk)).exists()
    response = client_a.post(url, {"measured_on": today.isoformat(), "weight_kg": "8,2", "length_cm": "67,0",
                                   "position": "l", "head_circumference_cm": "44,5", "arm_circumference_cm": "14"})
    assert response.status_code == 302
    m = Measurement.objects.get(child=ani)
    assert (m.weight_kg, m.head_circumference_cm, m.arm_circumference_cm) == (8.2, 44.5, 14.0)
    assert m.head_circumference_for_age_z is not None


def test_add_for_child_error_shown_on_its_field(client_a, places, children, today):
    url = reverse("measurements:add_for_child", args=[children["ani"].pk])
    future = (today + dt.timedelta(days=3)).isoformat()
    response = client_a.post(url, {"measured_on": future, "weight_kg": "8,2"})
    assert response.status_code == 200
    assert response.context["form"].errors["measured_on"][0].startswith("Tanggal ukur")
    assert not Measurement.objects.exists()


def test_edit_corrects_and_other_region_is_404(client_a, client, places, children, today, cadre_b):
    m = record_measurement(child=children["ani"], measured_on=today, weight_kg=8.0)
    url = reverse("measurements:edit", args=[m.pk])
    assert client_a.get(url).status_code == 200
    response = client_a.post(url, {"measured_on": today.isoformat(), "weight_kg": "8,1"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.weight_kg == 8.1
    assert AuditEvent.objects.filter(action="update", object_id=str(m.pk)).exists()
    client_a.logout()
    client.force_login(cadre_b)
    assert client.get(url).status_code == 404
    assert client.get(reverse("measurements:add_for_child", args=[children["ani"].pk])).status_code == 404
    assert client.post(reverse("measurements:delete", args=[m.pk])).status_code == 404
    assert Measurement.objects.filter(pk=m.pk).exists()


def test_kecamatan_team_can_open_any_posyandu_inside(client, kec_user, places, children, today):
    client.force_login(kec_user)
    html = client.get(reverse("measurements:session_list")).content.decode()
    assert "Posyandu Melati" in html and "Posyandu Mawar" in html
    assert client.get(session_url(places, today, "pos_b")).status_code == 200


# --- issue 8, items 7 and 8 --------------------------------------------------------------------

def test_a_half_row_is_saved_only_when_the_cadre_says_so(client_a, places, children, today):
    ani = children["ani"]
    data = {"date": today.isoformat(), "weight_kg": "8,4", "length_cm": "", "position": "l"}
    html = client_a.post(row_url(places, ani), data, **HTMX).content.decode()  # Enter (no Save button)
    assert 'data-result="error"' in html and "tekan Simpan" in html and 'value="8,4"' in html
    assert not Measurement.objects.exists()
    html = client_a.post(row_url(places, ani), {**data, "partial": "on"}, **HTMX).content.decode()  # Save
    assert 'data-result="saved"' in html
    assert Measurement.objects.get(child=ani).weight_kg == 8.4


def test_lila_is_saved_from_the_session_row(client_a, places, children, today):
    ani = children["ani"]
    client_a.post(row_url(places, ani), {"date": today.isoformat(), "weight_kg": "8,4", "length_cm": "68,5",
                                         "arm_circumference_cm": "13,5", "position": "l"}, **HTMX)
    assert Measurement.objects.get(child=ani).arm_circumference_cm == 13.5
    html = client_a.post(row_url(places, children["bayu"]), {
        "date": today.isoformat(), "weight_kg": "12", "length_cm": "86", "arm_circumference_cm": "135",
        "position": "h"}, **HTMX).content.decode()
    assert 'data-result="error"' in html and "Lingkar lengan" in html and 'value="135"' in html


def test_absent_is_recorded_counted_and_undone(client_a, places, children, today, cadre_a):
    from tumbuh.measurements.models import Absence

    ani = children["ani"]
    html = client_a.post(row_url(places, ani), {"date": today.isoformat(), "absent": "1"}, **HTMX).content.decode()
    assert 'data-result="saved"' in html and "Tidak hadir" in html and "is-absent" in html
    assert "tidak hadir: <strong>1</strong>" in html
    absence = Absence.objects.get(child=ani, on=today)
    assert absence.recorded_by == cadre_a
    assert AuditEvent.objects.filter(action="create", object_type="measurements.absence").exists()
    page = client_a.get(session_url(places, today)).content.decode()
    assert "tidak hadir: <strong>1</strong>" in page
    client_a.post(row_url(places, ani), {"date": today.isoformat(), "absent": "0"}, **HTMX)
    assert not Absence.objects.exists()
    # Measured after being marked absent: the absence goes.
    client_a.post(row_url(places, ani), {"date": today.isoformat(), "absent": "1"}, **HTMX)
    client_a.post(row_url(places, ani), {"date": today.isoformat(), "weight_kg": "8,4", "length_cm": "68,5",
                                         "position": "l"}, **HTMX)
    assert not Absence.objects.exists() and Measurement.objects.filter(child=ani).exists()


def test_a_far_off_value_needs_a_second_confirmation(client_a, places, children, today):
    bayu = children["bayu"]  # 900 days
    record_measurement(child=bayu, measured_on=today - dt.timedelta(days=18), weight_kg=12.0, length_cm=87.0,
                       position="h")
    data = {"date": today.isoformat(), "weight_kg": "8,76", "length_cm": "72,5", "position": "h"}
    html = client_a.post(row_url(places, bayu), data, **HTMX).content.decode()
    assert 'data-result="confirm"' in html and "Belum disimpan" in html
    assert 'name="confirm"' in html and 'value="72,5"' in html
    assert Measurement.objects.filter(child=bayu).count() == 1  # not saved
    html = client_a.post(row_url(places, bayu), {**data, "confirm": "on"}, **HTMX).content.decode()
    assert 'data-result="saved"' in html
    saved = Measurement.objects.get(child=bayu, measured_on=today)
    assert saved.values_confirmed and not saved.length_for_age_flag


def test_the_measurement_form_asks_to_confirm_too(client_a, places, children, today):
    bayu = children["bayu"]
    record_measurement(child=bayu, measured_on=today - dt.timedelta(days=18), weight_kg=12.0, length_cm=87.0,
                       position="h")
    url = reverse("measurements:add_for_child", args=[bayu.pk])
    data = {"measured_on": today.isoformat(), "weight_kg": "12,1", "length_cm": "72,5", "position": "h"}
    response = client_a.post(url, data)
    assert response.status_code == 200 and 'id="confirm-box"' in response.content.decode()
    assert Measurement.objects.filter(child=bayu).count() == 1
    assert client_a.post(url, {**data, "confirm": "on"}).status_code == 302
    assert Measurement.objects.get(child=bayu, measured_on=today).values_confirmed
