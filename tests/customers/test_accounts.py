import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from customers.models import CONSENT_WORDING_VERSION, Consent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def sign_in(client, email, password, address="10.0.0.1"):
    return client.post(reverse("customers:sign_in"), {"email": email, "password": password}, REMOTE_ADDR=address)


def test_customer_signs_up_and_lands_in_their_account(client):
    response = client.post(reverse("customers:sign_up"), {
        "email": "Anna@Example.com", "first_name": "Анна", "last_name": "Петрова", "phone": "",
        "password": "a-long-enough-pass-42", "consent_personal_data": "on",
    })

    assert response.status_code == 302
    assert get_user_model().objects.get().email == "anna@example.com"
    assert client.get(reverse("customers:account")).status_code == 200


def test_sign_up_without_consent_to_personal_data_is_refused(client):
    response = client.post(reverse("customers:sign_up"), {
        "email": "anna@example.com", "password": "a-long-enough-pass-42",
    })

    assert response.status_code == 200
    assert "We cannot open an account without your consent to process personal data." in response.content.decode()
    assert not get_user_model().objects.exists()


def test_sign_up_records_the_consents_given_with_wording_version_and_source(client):
    client.post(reverse("customers:sign_up"), {
        "email": "anna@example.com", "password": "a-long-enough-pass-42", "consent_personal_data": "on",
        "consent_marketing_sms": "on",
    })

    user = get_user_model().objects.get()
    recorded = set(Consent.objects.filter(user=user).values_list("kind", "granted", "wording_version", "source"))
    assert recorded == {("personal_data", True, CONSENT_WORDING_VERSION, "registration"),
                        ("marketing_sms", True, CONSENT_WORDING_VERSION, "registration")}


def test_sign_up_with_a_taken_email_explains_what_to_do(client):
    UserFactory(email="anna@example.com")

    response = client.post(reverse("customers:sign_up"), {"email": "ANNA@example.com", "password": "a-long-pass-42"})

    assert "already exists" in response.content.decode()


def test_sign_in_ignores_the_case_of_the_email(client):
    UserFactory(email="anna@example.com")

    response = sign_in(client, "Anna@Example.COM", PASSWORD)

    assert response.status_code == 302


def test_wrong_password_is_refused_with_a_clear_message(client):
    UserFactory(email="anna@example.com")

    response = sign_in(client, "anna@example.com", "guess")

    assert "Wrong e-mail or password" in response.content.decode()


def test_password_guessing_on_one_account_is_throttled_even_with_the_right_password(client, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT = 3
    UserFactory(email="anna@example.com")
    for attempt in range(3):
        sign_in(client, "anna@example.com", f"guess-{attempt}", address=f"10.0.0.{attempt}")

    response = sign_in(client, "anna@example.com", PASSWORD, address="10.0.1.1")

    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()


def test_guessing_from_one_address_across_accounts_is_throttled(client, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ADDRESS = 3
    UserFactory(email="victim@example.com")
    for n in range(3):
        sign_in(client, f"someone{n}@example.com", "guess", address="10.9.9.9")

    response = sign_in(client, "victim@example.com", PASSWORD, address="10.9.9.9")

    assert "Too many failed attempts" in response.content.decode()


def test_admin_sign_in_is_throttled_too(client, settings):
    settings.SIGN_IN_ATTEMPTS_PER_ACCOUNT = 2
    UserFactory(email="boss@example.com", is_staff=True, is_superuser=True)
    for _ in range(2):
        client.post("/admin/login/", {"username": "boss@example.com", "password": "guess"})

    client.post("/admin/login/", {"username": "boss@example.com", "password": PASSWORD})

    assert client.get("/admin/").status_code == 302  # still signed out


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    UserFactory(email="anna@example.com")

    client.post(reverse("customers:password_reset"), {"email": "anna@example.com"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "brand-new-pass-77",
                                                  "new_password2": "brand-new-pass-77"})

    assert sign_in(client, "anna@example.com", "brand-new-pass-77").status_code == 302


def test_account_page_needs_sign_in(client):
    response = client.get(reverse("customers:account"))

    assert response.status_code == 302
    assert reverse("customers:sign_in") in response["Location"]


def test_sign_in_does_not_redirect_to_another_site(client):
    UserFactory(email="anna@example.com")

    response = client.post(reverse("customers:sign_in") + "?next=https://evil.example/",
                           {"email": "anna@example.com", "password": PASSWORD, "next": "https://evil.example/"})

    assert response["Location"] == reverse("customers:account")


def test_every_page_sends_a_content_security_policy(client):
    response = client.get("/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_language_a_customer_signs_in_with_is_remembered_for_later_messages(client):
    anna = UserFactory(email="anna@example.com", password="a-long-pass-42")

    client.post(reverse("customers:sign_in"), {"email": "anna@example.com", "password": "a-long-pass-42"},
                HTTP_ACCEPT_LANGUAGE="en")

    anna.refresh_from_db()
    assert anna.language == "en"
