"""Personas for permission and view tests: one user per role, plus an outsider; and
helpers that read what a test got back (a form's submission key, stored files, PDF text)."""

import io
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.http import HttpRequest
from django.test import Client, TestCase
from pypdf import PdfReader

from ascru_pie.mfa import session_record_second_factor
from ascru_pie.models import User
from ascru_pie.roles import Role, roles_sync
from tests.factories import AdvisorFactory

PASSWORD = "correct horse battery staple"


def ensure_roles() -> None:
    """Role groups come from a data migration; a transactional test's flush removes them."""
    if not Group.objects.filter(name=str(Role.PIE_TEAM)).exists():
        roles_sync(group_model=Group, permission_model=Permission)


def make_user(username: str, *roles: str, **extra) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **extra
    )
    user.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
    return user


_django_force_login = Client.force_login


def force_login_with_second_factor(client: Client, user, backend=None) -> None:
    """Sign in as `user` as if with password *and* a code from their app: most tests are
    about what a signed-in person may do, not about signing in. tests/conftest.py makes this
    every test client's `force_login`; `PasswordOnlyClient` is the one that does not."""
    _django_force_login(client, user, backend)
    request = HttpRequest()
    request.session = client.session
    session_record_second_factor(request, user=user, kind="totp")
    request.session.save()


class PasswordOnlyClient(Client):
    """A client whose `force_login` is Django's own: signed in with one factor only."""

    def force_login(self, user, backend=None) -> None:
        _django_force_login(self, user, backend)


class BaseTestCase(TestCase):
    """Sam runs the PIE team, Alice and Bob are advisors, Rita researches, Mo manages,
    Fay pays, and Carol has an account but no role."""

    @classmethod
    def setUpTestData(cls) -> None:
        # Made once per class, in the class's transaction; each test gets its own deep copy
        # of these objects (Django's TestData), and its database changes are rolled back.
        super().setUpTestData()
        ensure_roles()
        cls.staff_sam = make_user("sam", Role.PIE_TEAM, is_staff=True, first_name="Sam")
        cls.advisor_alice = make_user("alice", Role.ADVISOR, first_name="Alice")
        cls.advisor_bob = make_user("bob", Role.ADVISOR, first_name="Bob")
        cls.researcher_rita = make_user("rita", Role.RESEARCHER, first_name="Rita")
        cls.manager_mo = make_user("mo", Role.MANAGER, first_name="Mo")
        cls.finance_fay = make_user("fay", Role.FINANCE, is_staff=True, first_name="Fay")
        cls.outsider_carol = make_user("carol", first_name="Carol")
        # Alice and Bob are on the register; their records belong to their accounts.
        cls.alice = AdvisorFactory(user=cls.advisor_alice, first_name="Alice", last_name="Ashby")
        cls.bob = AdvisorFactory(user=cls.advisor_bob, first_name="Bob", last_name="Brown")

    def persona(self, role: str | None) -> User | None:
        return {
            Role.PIE_TEAM: self.staff_sam,
            Role.ADVISOR: self.advisor_alice,
            Role.RESEARCHER: self.researcher_rita,
            Role.MANAGER: self.manager_mo,
            Role.FINANCE: self.finance_fay,
            None: None,
        }[role]


def key_of(response) -> str:
    """The submission key of the form on the page (a form with one is taken only once)."""
    return response.context["form"]["submission_key"].value()


def stored_files() -> list[Path]:
    """Every file under PRIVATE_MEDIA_ROOT (receipts and reports)."""
    return [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with all whitespace runs made single spaces (lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)
