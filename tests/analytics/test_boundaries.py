"""GeoJSON boundaries (issue 16 item 15): bad files are refused on the form in Indonesian (they
gave 500s, or a stored file broke the dashboard), a stored file that cannot be drawn falls back to
the tile grid, and a boundary set can be deleted (scoped, audited)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tumbuh.accounts.models import Role
from tumbuh.analytics.models import BoundaryUpload
from tumbuh.analytics.testing import make_user
from tumbuh.audit.models import AuditEvent
from tumbuh.regions.models import Region

from .test_pages import square


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def feature(code, coordinates, kind="Polygon"):
    return {"type": "Feature", "properties": {"kode": code}, "geometry": {"type": kind, "coordinates": coordinates}}


GOOD = collection(feature("64.74.01", square(117.5, 0.1)), feature("64.74.02", square(117.5, 0.09)))

BAD = {
    "a feature that is a number": (collection(1), "Fitur 1"),
    "string coordinates": (collection(feature("64.74.01", [[["117.5", "0.1"], ["117.6", "0.1"], ["117.6", "0.2"]]])),
                           "koordinat"),
    "a ring of two points": (collection(feature("64.74.01", [[[117.5, 0.1], [117.6, 0.1]]])), "koordinat"),
    "a latitude off the globe": (collection(feature("64.74.01", [[[117.5, 0.1], [117.6, 95], [117.6, 0.2]]])),
                                 "koordinat"),
    "booleans as numbers": (collection(feature("64.74.01", [[[True, 0.1], [117.6, 0.1], [117.6, 0.2]]])), "koordinat"),
    "a multipolygon of nothing": (collection(feature("64.74.01", [], kind="MultiPolygon")), "koordinat"),
    "not a collection": (json.dumps([1, 2]), "FeatureCollection"),
    "not JSON": ("{features: ", "JSON"),
    "no feature with the property": (collection({"type": "Feature", "properties": {"nama": "x"},
                                                 "geometry": {"type": "Polygon", "coordinates": square(1, 1)}}), "kode"),
}


def post(client, **extra):
    data = {"parent": "64.74", "level": "kecamatan", "property_key": "kode", **extra}
    return client.post("/analytics/boundaries/", data)


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_geojson_is_refused_in_indonesian_and_nothing_stored(client, kota_user, case):
    text, expected = BAD[case]
    client.force_login(kota_user)
    response = post(client, geojson=text)
    assert response.status_code == 200, case
    assert expected in response.content.decode()
    assert not BoundaryUpload.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(client, kota_user):
    client.force_login(kota_user)
    upload = SimpleUploadedFile("batas.geojson", GOOD.encode("utf-16"), content_type="application/geo+json")
    response = post(client, file=upload)
    assert response.status_code == 200 and "UTF-8" in response.content.decode()
    assert not BoundaryUpload.objects.exists()


def test_a_stored_file_that_cannot_be_drawn_falls_back_to_the_tile_grid(client, kota_user, area):
    # Stored before the checks existed (or written around the form): the dashboard still opens.
    BoundaryUpload.objects.create(parent=area["kota"], level="kecamatan", property_key="kode",
                                  geojson=BAD["string coordinates"][0])
    client.force_login(kota_user)
    response = client.get("/analytics/", {"region": "64.74"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "tile-map" in html and "choropleth" not in html


def test_a_boundary_set_is_deleted_by_its_region_only_and_audited(client, kota_user, area):
    client.force_login(kota_user)
    assert post(client, geojson=GOOD).status_code == 302
    upload = BoundaryUpload.objects.get()
    assert "choropleth" in client.get("/analytics/", {"region": "64.74"}).content.decode()
    # A kab/kota team of another kota may not delete it (404: it does not learn it exists).
    samarinda = Region.objects.create(code="64.72", name="Kota Samarinda", level="kabupaten", parent=area["kota"].parent)
    client.force_login(make_user(Role.KABUPATEN, region=samarinda))
    assert client.post(f"/analytics/targets/boundary/{upload.pk}/delete/").status_code == 404
    utara = make_user(Role.KECAMATAN, region=area["utara"])  # a kecamatan team: not a manager of the kota's maps
    client.force_login(utara)
    assert client.post(f"/analytics/targets/boundary/{upload.pk}/delete/").status_code in (403, 404)
    assert BoundaryUpload.objects.filter(pk=upload.pk).exists()
    client.force_login(kota_user)
    response = client.post(f"/analytics/targets/boundary/{upload.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/analytics/boundaries/"
    assert not BoundaryUpload.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_type="analytics.boundaryupload",
                                     object_id=str(upload.pk), user=kota_user).exists()
    assert "tile-map" in client.get("/analytics/", {"region": "64.74"}).content.decode()
