from django.apps import AppConfig


class HomesConfig(AppConfig):
    """The top layer: role homes and commands that gather from every app."""

    name = "homes"
    verbose_name = "Homes"
