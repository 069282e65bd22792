from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from ascru_pie.accounts import is_staff_member
from ascru_pie.demo import DEMO_USERS
from ascru_pie.mfa import demo_totp_code, demo_totp_give
from ascru_pie.models import User

DEMO_USERNAMES = [username for username, *_ in DEMO_USERS]

# Each module has seed(*, stdout); they run in this order, each idempotent.
SEEDERS = [
    "ascru_pie.demo",
    "advisors.demo",
    "rates.demo",
    "projects.demo",
    "meetings.demo",
    "payments.demo_claims",
    "impacts.demo",
    "homes.demo",
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
            self._demo_totp()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))

    def _demo_totp(self) -> None:
        """Demo staff get a fixed authenticator-app secret, so the demo needs no phone."""
        staff = [u for u in User.objects.filter(username__in=DEMO_USERNAMES) if is_staff_member(u)]
        lines = []
        for user in staff:
            secret = demo_totp_give(user=user)
            lines.append(
                f"  {user.username}: secret {secret}, code now {demo_totp_code(user.username)}"
            )
        self.stdout.write(
            "Staff sign in with a code from an authenticator app too. Add the secret to an app, "
            "or run `manage.py demo_totp <username>` for the current code:\n" + "\n".join(lines)
        )
