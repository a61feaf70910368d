import pytest


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_login_page_is_public(client):
    assert client.get("/accounts/login/").status_code == 200
