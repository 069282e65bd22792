from django.apps import AppConfig


class ImpactsConfig(AppConfig):
    name = "impacts"
    verbose_name = "Impacts"
