import pytest

pytestmark = pytest.mark.django_db


def test_a_token_is_given_for_the_right_password_and_opens_the_orders(api, customer):
    credentials = {"email": "ANNA@example.com", "password": "correct horse battery staple"}

    response = api.post("/api/v1/auth/token/", credentials, format="json")

    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/orders/").status_code == 200


def test_a_wrong_password_gets_a_clear_message(api, customer):
    response = api.post("/api/v1/auth/token/", {"email": customer.email, "password": "guess"}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Wrong e-mail or password."


def test_password_guessing_is_throttled_like_the_sign_in_page(api, customer, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT = 3
    for _attempt in range(3):
        api.post("/api/v1/auth/token/", {"email": customer.email, "password": "guess"}, format="json")

    response = api.post("/api/v1/auth/token/", {"email": customer.email, "password": "correct horse battery staple"},
                        format="json")

    assert response.status_code == 429
    assert "Too many failed attempts" in response.json()["detail"]
