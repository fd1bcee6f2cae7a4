from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: money, images, small helpers. Imports no app of the shop."""

    name = "core"
