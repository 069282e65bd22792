"""How people reach the unit: one set of settings shown wherever a page or email says
"contact us" (footer, /apply/, error pages, every email)."""

from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings


@dataclass(frozen=True)
class UnitContact:
    name: str
    phone: str
    email: str
    address: tuple[str, ...]

    @property
    def address_line(self) -> str:
        return ", ".join(self.address)


def unit_contact() -> UnitContact:
    email = settings.UNIT_CONTACT_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    address = tuple(
        line.strip() for line in settings.UNIT_CONTACT_ADDRESS.split("\n") if line.strip()
    )
    return UnitContact(
        name=settings.UNIT_CONTACT_NAME,
        phone=settings.UNIT_CONTACT_PHONE,
        email=email,
        address=address,
    )
