"""Render HTML to PDF with WeasyPrint, loading nothing from the network.

The URL fetcher serves only the app's own static files (``static:/css/pdf.css``); any other
URL (http, file, data, or a path that climbs out of the static folders) is refused, so a PDF
can never fetch a remote or local resource that a user's text points at.
"""

import mimetypes
import posixpath
from urllib.parse import unquote

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher, URLFetcherResponse

PREFIX = "static:/"


class BlockedResource(Exception):
    pass


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that knows only our static files."""

    def fetch(self, url, headers=None) -> URLFetcherResponse:
        if not url.startswith(PREFIX):
            raise BlockedResource(f"PDFs may only use the app's own static files, not {url[:80]}")
        relative = posixpath.normpath(unquote(url[len(PREFIX) :]).lstrip("/"))
        if relative.startswith("..") or "\x00" in relative:
            raise BlockedResource(f"Not a static file: {url[:80]}")
        path = finders.find(relative)
        if not path:
            raise BlockedResource(f"No static file {url[:80]}")
        with open(path, "rb") as fh:
            data = fh.read()
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})


static_only_fetcher = StaticOnlyFetcher()


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """PDF bytes and the number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=PREFIX, url_fetcher=StaticOnlyFetcher()).render()
    return document.write_pdf(), len(document.pages)


def render_pdf(template: str, context: dict) -> tuple[bytes, int]:
    """Render a Django template (autoescaped: user text stays text) to PDF bytes and page count."""
    return html_to_pdf(render_to_string(template, context))
