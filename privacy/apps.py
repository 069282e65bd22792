from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """UK GDPR duties: the personal-data register, subject access, erasure and retention.

    Above every app that holds personal data (it reads them all), below the homes."""

    name = "privacy"
    verbose_name = "Data protection"
