"""Erase an advisor or a declined applicant from the command line (the same service as the
PIE team's page). Without --yes it only says what would happen."""

from django.core.management.base import BaseCommand, CommandError

from advisors.models import Advisor, Application
from ascru_pie.models import User
from privacy.erasure import ErasureBlocked, advisor_erase, application_erase, erasure_consequences


class Command(BaseCommand):
    help = "Erase (anonymise) one advisor or one declined or withdrawn application."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--advisor", type=int, help="the advisor's number (id)")
        who.add_argument("--application", type=int, help="the application's number (id)")
        parser.add_argument("--by", help="username of the person who asked for the erasure")
        parser.add_argument("--yes", action="store_true", help="erase; without it, only tell")

    def handle(self, *args, advisor=None, application=None, by=None, yes=False, **options):
        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"No user called {by!r}.")
        if advisor is not None:
            person = Advisor.objects.filter(pk=advisor).first()
            if person is None:
                raise CommandError(f"No advisor {advisor}.")
            if not yes:
                facts = erasure_consequences(person)
                self.stdout.write(
                    f"Would erase advisor {person.pk} as {facts['pseudonym']}: "
                    f"{facts['claims']} claims kept, {facts['waiting']} waiting to be paid; "
                    f"records changed: {facts['rows']}. Run again with --yes to erase."
                )
                return
            erase = lambda: advisor_erase(person, by=user)  # noqa: E731
        else:
            person = Application.objects.filter(pk=application).first()
            if person is None:
                raise CommandError(f"No application {application}.")
            if not yes:
                self.stdout.write(
                    f"Would erase application {person.pk} ({person.get_status_display()}). "
                    "Run again with --yes to erase."
                )
                return
            erase = lambda: application_erase(person, by=user)  # noqa: E731
        try:
            record = erase()
        except ErasureBlocked as blocked:
            raise CommandError(str(blocked)) from None
        self.stdout.write(f"Erased: now {record.pseudonym} ({record.at:%Y-%m-%d %H:%M}).")
