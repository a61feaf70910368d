import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_english_browser_still_gets_indonesian(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in html


@pytest.mark.django_db
def test_language_switcher_choice_wins(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'lang="en"' in html


@pytest.mark.django_db
def test_unknown_language_cookie_falls_back_to_indonesian(client):
    client.cookies["django_language"] = "fr"
    assert 'lang="id"' in client.get(reverse("accounts:login")).content.decode()


def _catalogues():
    from pathlib import Path

    import tumbuh

    return sorted(Path(tumbuh.__file__).parent.glob("*/locale/id/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po", _catalogues(), ids=lambda p: p.parts[-5])
def test_each_catalogue_is_valid_and_its_compiled_file_is_current(po, tmp_path):
    """msgfmt --check (what compilemessages runs on a translator's machine) accepts every .po:
    Indonesian has one plural form, so a msgstr[1] is a fatal error there. The committed .mo
    holds exactly the .po's translations: a .po edited without compilemessages shows English."""
    import gettext
    import shutil
    import subprocess

    if shutil.which("msgfmt") is None:
        pytest.skip("gettext's msgfmt is not installed")
    compiled = tmp_path / "django.mo"
    result = subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(po)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with compiled.open("rb") as fresh, po.with_suffix(".mo").open("rb") as committed:
        # the header ("") carries dates, not translations
        have = {k: v for k, v in gettext.GNUTranslations(committed)._catalog.items() if k != ""}
        want = {k: v for k, v in gettext.GNUTranslations(fresh)._catalog.items() if k != ""}
    assert have == want, sorted(map(repr, set(want.items()) ^ set(have.items())))[:10]
