"""Demo users: one per role, same password every run (DEBUG only)."""

from django.contrib.auth.models import Group

from .models import User
from .roles import Role

DEMO_PASSWORD = "involve-demo-2026"

DEMO_USERS = [
    # username, first, last, role, is_staff
    ("coordinator", "Chris", "Coordinator", Role.PIE_TEAM, True),
    ("advisor", "Ada", "Advisor", Role.ADVISOR, False),
    ("researcher", "Ravi", "Researcher", Role.RESEARCHER, False),
    ("manager", "Morgan", "Manager", Role.MANAGER, False),
    ("finance", "Fran", "Finance", Role.FINANCE, True),
]


def seed(*, stdout) -> dict[str, User]:
    users = {}
    for username, first, last, role, is_staff in DEMO_USERS:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.org",
                "is_staff": is_staff,
                "is_active": True,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=str(role))])
        users[username] = user
    stdout.write(f"Demo users: {', '.join(users)} — password: {DEMO_PASSWORD}")
    return users
