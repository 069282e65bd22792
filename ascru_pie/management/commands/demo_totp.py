from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ascru_pie.mfa import demo_totp_code, demo_totp_secret


class Command(BaseCommand):
    help = (
        "Print a demo user's current two-step sign-in code (the one an authenticator app with "
        "the demo secret shows now). Refuses unless DJANGO_DEBUG=1."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", nargs="?", default="coordinator")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs with DJANGO_DEBUG=1: demo secrets are public.")
        self.stdout.write(
            f"{username}: code {demo_totp_code(username)} "
            f"(secret {demo_totp_secret(username)}; a new code every 30 seconds)"
        )
