"""Response headers that keep personal data out of caches and switch off browser features.

- `Permissions-Policy` on every response: the app uses no camera, microphone, location,
  payment, USB and the like, so no page (or script injected into one) may ask for them.
- `Cache-Control: private, no-store` (Django's never-cache set) on every response to a
  signed-in person and on every file download (`Content-Disposition: attachment`): pages and
  files with personal data must not stay in a shared proxy or the browser's disk cache on a
  shared or library computer. Anonymous public pages keep their normal caching, and static
  files never reach this middleware (WhiteNoise answers them first).

The Content Security Policy itself is django-csp's (CONTENT_SECURITY_POLICY in settings).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

# Features Chrome and Firefox recognise (an unknown name only logs a console warning).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
)


def _is_download(response: HttpResponse) -> bool:
    return response.get("Content-Disposition", "").lower().startswith("attachment")


class PrivacyHeadersMiddleware:
    """Permissions-Policy everywhere; no-store for signed-in people and downloads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", getattr(settings, "PERMISSIONS_POLICY", PERMISSIONS_POLICY)
        )
        user = getattr(request, "user", None)
        if _is_download(response) or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
