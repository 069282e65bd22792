"""The one access check for role pages: anonymous → login, wrong role → 403."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def role_required(*roles: str) -> Callable:
    """Allow the view to people in any of `roles` (superusers always pass)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(*roles):
                raise PermissionDenied("Your account does not have access to this page.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(str(r) for r in roles)
        return wrapped

    return decorator
