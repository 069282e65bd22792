"""Demo resources for the advisors' library: a few links and one small generated file."""

from django.core.files.base import ContentFile

from .models import Resource

LINKS = [
    (
        "NIHR guide: payment for public involvement",
        Resource.Kind.PAYMENTS,
        "How and why we pay you for your time, and what it means for tax.",
        "https://www.nihr.ac.uk/payment-guidance-researchers-and-professionals",
    ),
    (
        "Benefits and involvement payments: Citizens Advice",
        Resource.Kind.PAYMENTS,
        "If you receive benefits: how payments for involvement can affect them, and who to ask.",
        "https://www.citizensadvice.org.uk/benefits/",
    ),
    (
        "UK Standards for Public Involvement",
        Resource.Kind.GUIDE,
        "Six standards for good public involvement in research.",
        "https://sites.google.com/nihr.ac.uk/pi-standards/home",
    ),
    (
        "Learning for Involvement: free online training",
        Resource.Kind.TRAINING,
        "Short courses about research and being a public advisor.",
        "https://www.learningforinvolvement.org.uk/",
    ),
]

WELCOME_TITLE = "Welcome pack for new public advisors"
WELCOME_TEXT = """Welcome to the ASCRU2 Public Advisors

What we ask of you
- Come to the meetings you can, and tell us in advance if you cannot.
- Read the papers if you can. We pay you for preparation time where a meeting says so.

How we pay you
- We pay for your time after each meeting you come to, at NIHR rates.
- Claim travel and other costs from "Your payments" in the portal. Keep your receipts.
- If you receive benefits, talk to us before you are paid: you can choose vouchers,
  or not to be paid at all.

Who to contact
- The Involvement Coordinator, by phone or email (see the bottom of every page).
"""


def seed(*, stdout) -> None:
    made = 0
    for order, (title, kind, description, link) in enumerate(LINKS):
        _, created = Resource.objects.update_or_create(
            title=title,
            defaults={"kind": kind, "description": description, "link": link, "order": order},
        )
        made += created
    if not Resource.objects.filter(title=WELCOME_TITLE).exists():
        resource = Resource(
            title=WELCOME_TITLE,
            kind=Resource.Kind.GUIDE,
            description="What to expect, how we pay you and who to contact. A short text file.",
        )
        resource.file.save("welcome-pack.txt", ContentFile(WELCOME_TEXT.encode()), save=False)
        resource.save()
        made += 1
    stdout.write(f"Library: {Resource.objects.count()} resources ({made} new).")
