"""Every email is a triple of templates: <name>-subject.txt, <name>-body.txt, <name>-body.html."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string

from ascru_pie.contact import unit_contact


def render_plain(template_name: str, ctx: dict) -> str:
    """Render a plain-text template without HTML escaping (an apostrophe stays an apostrophe)."""
    return get_template(template_name).template.render(Context(ctx, autoescape=False))


def make_message(name: str, to: list[str] | str, ctx: dict) -> EmailMultiAlternatives:
    ctx = {"site_url": settings.SITE_URL, "contact": unit_contact(), **ctx}
    subject = render_plain(f"emails/{name}-subject.txt", ctx).strip().replace("\n", " ")
    # Every email ends with how to reach the unit.
    body = render_plain(f"emails/{name}-body.txt", ctx) + render_plain(
        "emails/_contact-footer.txt", ctx
    )
    html = render_to_string(f"emails/{name}-body.html", ctx) + render_to_string(
        "emails/_contact-footer.html", ctx
    )
    msg = EmailMultiAlternatives(subject, body, to=[to] if isinstance(to, str) else list(to))
    msg.attach_alternative(html, "text/html")
    return msg
