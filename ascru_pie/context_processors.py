from django.urls import reverse

from .roles import Role

# (label, url name, roles that see it) — the role-aware main navigation.
NAVIGATION = [
    ("Staff dashboard", "staff-home", {Role.PIE_TEAM, Role.FINANCE}),
    ("Admin", "admin:index", {Role.PIE_TEAM}),
    ("My portal", "portal-home", {Role.ADVISOR}),
    ("Research", "projects:home", {Role.RESEARCHER, Role.PIE_TEAM}),
    ("Reports", "reports-home", {Role.MANAGER, Role.PIE_TEAM}),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = [
        {"label": label, "url": reverse(name), "current": request.path.startswith(reverse(name))}
        for label, name, roles in NAVIGATION
        if user.has_role(*roles)
    ]
    return {"nav_links": links}
