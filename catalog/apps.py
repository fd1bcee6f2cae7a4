from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from catalog import receivers

        post_migrate.connect(receivers.refresh_storefront_after_migrate, sender=self,
                             dispatch_uid="catalog.refresh_storefront_after_migrate")
        post_migrate.connect(receivers.search_index_after_migrate, sender=self,
                             dispatch_uid="catalog.search_index_after_migrate")
