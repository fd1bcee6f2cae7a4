from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "shipping"
    verbose_name = _("Parcels")

    def ready(self) -> None:
        from shipping import receivers  # noqa: F401
