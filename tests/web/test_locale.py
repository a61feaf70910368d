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
