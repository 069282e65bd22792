from django.urls import reverse

from .contact import unit_contact
from .roles import Role

# (label, url name, roles that see it) — the role-aware main navigation.
NAVIGATION = [
    ("Staff dashboard", "staff-home", {Role.PIE_TEAM, Role.FINANCE}),
    ("Meetings", "meetings:list", {Role.PIE_TEAM}),
    ("Payments", "payments:claims", {Role.PIE_TEAM, Role.FINANCE}),
    ("Impact database", "impacts:search", {Role.PIE_TEAM, Role.RESEARCHER, Role.MANAGER}),
    ("Admin", "admin:index", {Role.PIE_TEAM}),
    ("My portal", "portal-home", {Role.ADVISOR}),
    ("Research", "research-home", {Role.RESEARCHER, Role.PIE_TEAM}),
    ("Reports", "reports:home", {Role.MANAGER, Role.PIE_TEAM}),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = [
        {"label": label, "url": reverse(name)}
        for label, name, roles in NAVIGATION
        if user.has_role(*roles)
    ]
    # The current section is the longest link the page's address starts with.
    matches = [link for link in links if request.path.startswith(link["url"])]
    current = max(matches, key=lambda link: len(link["url"]), default=None)
    for link in links:
        link["current"] = link is current
    return {"nav_links": links}


def contact(request) -> dict:
    """The unit's contact details for every page ("contact us" in the footer, /apply/, errors)."""
    return {"contact": unit_contact()}
