"""Personas for permission and view tests: one user per role, plus an outsider."""

from django.contrib.auth.models import Group, Permission
from django.test import TestCase

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


class BaseTestCase(TestCase):
    """Sam runs the PIE team, Alice and Bob are advisors, Rita researches, Mo manages,
    Fay pays, and Carol has an account but no role."""

    def setUp(self) -> None:
        super().setUp()
        ensure_roles()
        self.staff_sam = make_user("sam", Role.PIE_TEAM, is_staff=True, first_name="Sam")
        self.advisor_alice = make_user("alice", Role.ADVISOR, first_name="Alice")
        self.advisor_bob = make_user("bob", Role.ADVISOR, first_name="Bob")
        self.researcher_rita = make_user("rita", Role.RESEARCHER, first_name="Rita")
        self.manager_mo = make_user("mo", Role.MANAGER, first_name="Mo")
        self.finance_fay = make_user("fay", Role.FINANCE, is_staff=True, first_name="Fay")
        self.outsider_carol = make_user("carol", first_name="Carol")
        # Alice and Bob are on the register; their records belong to their accounts.
        self.alice = AdvisorFactory(user=self.advisor_alice, first_name="Alice", last_name="Ashby")
        self.bob = AdvisorFactory(user=self.advisor_bob, first_name="Bob", last_name="Brown")

    def persona(self, role: str | None) -> User | None:
        return {
            Role.PIE_TEAM: self.staff_sam,
            Role.ADVISOR: self.advisor_alice,
            Role.RESEARCHER: self.researcher_rita,
            Role.MANAGER: self.manager_mo,
            Role.FINANCE: self.finance_fay,
            None: None,
        }[role]
