from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

# Each module has seed(*, stdout); they run in this order, each idempotent.
SEEDERS = [
    "ascru_pie.demo",
    "advisors.demo",
    "rates.demo",
    "projects.demo",
    "meetings.demo",
    "payments.demo_claims",
    "impacts.demo",
]


class Command(BaseCommand):
    help = (
        "Load demo data: one user per role (coordinator, advisor, researcher, manager, finance) "
        "and each app's examples. Safe to run again: it updates rather than duplicates. "
        "Refuses to run unless DJANGO_DEBUG=1."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DJANGO_DEBUG=1: it sets well-known passwords."
            )
        # Demo workflows (plans submitted, applications accepted) would email people: don't.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            for name in SEEDERS:
                import_module(name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
