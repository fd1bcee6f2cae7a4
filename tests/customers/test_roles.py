import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from customers.roles import MANAGER, MARKETER, OWNER, ROLE_PERMISSIONS, WAREHOUSE, roles_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def staff_in(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_every_role_group_exists_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)


def test_marketer_sees_products_but_cannot_change_them():
    marketer = staff_in(MARKETER)

    assert marketer.has_perm("catalog.view_product")
    assert not marketer.has_perm("catalog.change_product")


@pytest.mark.parametrize("page", ["visit", "productview", "user"])
def test_marketer_reads_visits_product_views_and_customers_in_the_admin(client, page):
    client.force_login(staff_in(MARKETER))

    response = client.get(reverse(f"admin:customers_{page}_changelist"))

    assert response.status_code == 200


def test_marketer_cannot_change_a_customer(client):
    client.force_login(staff_in(MARKETER))
    customer = UserFactory()

    response = client.post(reverse("admin:customers_user_change", args=[customer.pk]), {"email": "x@example.com"})

    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.email != "x@example.com"


def test_manager_changes_products_and_stock_and_sees_customers():
    manager = staff_in(MANAGER)

    assert manager.has_perm("catalog.change_product")
    assert manager.has_perm("catalog.change_productvariant")
    assert manager.has_perm("customers.view_user")
    assert not manager.has_perm("customers.change_user")
    assert not manager.has_perm("catalog.delete_product")


def test_warehouse_changes_stock_but_sees_no_customers():
    warehouse = staff_in(WAREHOUSE)

    assert warehouse.has_perm("catalog.change_productvariant")
    assert not warehouse.has_perm("customers.view_user")
    assert not warehouse.has_perm("catalog.change_category")


def test_owner_holds_every_catalog_and_customers_permission_without_being_superuser():
    owner = staff_in(OWNER)
    expected = Permission.objects.filter(content_type__app_label__in=["catalog", "customers"])

    assert not owner.is_superuser
    assert all(owner.has_perm(f"{p.content_type.app_label}.{p.codename}") for p in expected)


def test_syncing_roles_gives_back_a_permission_taken_from_a_group():
    group = Group.objects.get(name=MARKETER)
    group.permissions.remove(Permission.objects.get(codename="view_product"))

    roles_sync()

    assert group.permissions.filter(codename="view_product").exists()


def test_syncing_roles_takes_away_a_permission_the_role_does_not_have():
    group = Group.objects.get(name=MARKETER)
    group.permissions.add(Permission.objects.get(codename="delete_product"))

    roles_sync()

    assert not group.permissions.filter(codename="delete_product").exists()


def test_every_permission_a_role_names_exists():
    existing = {f"{app}.{codename}" for app, codename
                in Permission.objects.values_list("content_type__app_label", "codename")}
    named = {name for names in ROLE_PERMISSIONS.values() for name in names if not name.endswith(".*")}

    assert named <= existing
