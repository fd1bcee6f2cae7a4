from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from customers import receivers  # noqa: F401
        from customers.roles import roles_sync_after_migrate

        # Not limited to one sender: permissions appear app by app, and the roles span apps.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="customers.roles_sync")
