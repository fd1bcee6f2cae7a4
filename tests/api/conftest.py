from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.factories import DeliveryMethodFactory, ProductFactory, UserFactory


@pytest.fixture
def api(db):
    return APIClient()


@pytest.fixture
def customer(db):
    return UserFactory(email="anna@example.com")


@pytest.fixture
def signed_in(api, customer):
    api.force_authenticate(customer)
    return api


@pytest.fixture
def courier(db):
    return DeliveryMethodFactory(kind="courier", price=Decimal("300.00"))


@pytest.fixture
def kettle(db):
    return ProductFactory(name="Чайник", price=Decimal("1500.00"), stock=5)


@pytest.fixture
def checkout_answers(courier):
    return {
        "name": "Анна Смирнова",
        "phone": "8 916 123-45-67",
        "email": "anna@example.com",
        "delivery_method": courier.pk,
        "address": "Москва, ул. Тверская, 1, кв. 5",
        "payment": "cash_on_delivery",
        "consent_personal_data": True,
    }
