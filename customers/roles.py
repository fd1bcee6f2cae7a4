"""Staff roles as Django groups. The mapping below is the source of truth: after every
migrate each group holds exactly these permissions, so a role changes in code, in review.

Permissions are named "app_label.codename", or "app_label.*" for all of an app's. Higher
apps (orders, marketing) add theirs here as strings, so this module imports none of them.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

OWNER = "Owner"
MANAGER = "Manager"
MARKETER = "Marketer"
WAREHOUSE = "Warehouse"

# Orders: view_order lets a role open the order list; change_order plus ownership (or
# supervise_orders) lets it work an order; claim_orders shows the "new orders" banner;
# ship_orders moves orders through packed and shipped. See orders/backoffice/access.py.
# Reviews: the manager who talks to customers and the marketer who answers for the shop's
# reputation both publish and reject them (moderate_review); the warehouse sees none.
_ORDERS_READ = ("orders.view_order", "orders.view_orderline", "orders.view_orderstatuschange")

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    OWNER: (
        "catalog.*", "customers.*", "orders.*", "reviews.*", "marketing.*", "analytics.*", "integrations.*",
        "auth.view_group",
    ),
    MANAGER: (
        "catalog.view_category", "catalog.view_brand",
        "catalog.view_product", "catalog.change_product",
        "catalog.view_productvariant", "catalog.change_productvariant",
        "catalog.view_productimage", "catalog.view_productattributevalue",
        "customers.view_user", "customers.view_visit", "customers.view_productview",
        "customers.view_pointsentry", "customers.view_consent",
        *_ORDERS_READ, "orders.change_order", "orders.claim_orders",
        "orders.view_calllog", "orders.add_calllog", "orders.view_customernote", "orders.add_customernote",
        "orders.view_deliverymethod", "orders.view_pickuppoint", "orders.view_promocode",
        "marketing.view_outboundmessage",
        "marketing.view_followup", "marketing.change_followup",  # "My tasks"; change = mark done
        "reviews.view_review", "reviews.moderate_review",
    ),
    MARKETER: (
        "catalog.view_category", "catalog.view_brand", "catalog.view_attribute",
        "catalog.view_attributeoption", "catalog.view_categoryattribute",
        "catalog.view_product", "catalog.view_productimage", "catalog.view_productvariant",
        "catalog.view_productattributevalue",
        # Who the customers are and what brought them: read only.
        "customers.view_user", "customers.view_visit", "customers.view_productview",
        *_ORDERS_READ,
        "orders.view_promocode", "orders.add_promocode", "orders.change_promocode", "orders.view_promocodeuse",
        "reviews.view_review", "reviews.moderate_review",
        "marketing.*",
        "analytics.view_marketing_reports", "analytics.view_marketingcost", "analytics.add_marketingcost",
        "analytics.change_marketingcost", "analytics.delete_marketingcost",
    ),
    WAREHOUSE: (
        "catalog.view_product", "catalog.change_product",
        "catalog.view_productvariant", "catalog.change_productvariant",
        *_ORDERS_READ, "orders.ship_orders", "orders.view_deliverymethod", "orders.view_pickuppoint",
    ),
}


def roles_sync(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the role groups and set each one's permissions to exactly the mapping's.

    Idempotent. A permission whose app is not migrated yet is skipped and picked up by a
    later run, which is why it runs after every app's post_migrate."""
    try:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:
        return
    permissions = permission_model.objects.using(using).select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p.pk for p in permissions}
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.using(using).get_or_create(name=role)
        group.permissions.set(_expand(names, by_name))


def _expand(names: tuple[str, ...], by_name: dict[str, int]) -> set[int]:
    wanted = set()
    for name in names:
        if name.endswith(".*"):
            prefix = name[:-1]
            wanted.update(pk for full, pk in by_name.items() if full.startswith(prefix))
        elif name in by_name:
            wanted.add(by_name[name])
    return wanted


def roles_sync_after_migrate(sender, *, apps=global_apps, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    roles_sync(apps=apps, using=using)
