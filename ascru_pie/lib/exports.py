"""Making exported spreadsheets safe to open."""

import re

# Characters Excel refuses in a cell.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def cell_safe(value):
    """Text that a spreadsheet will show, never run.

    A cell starting with = + - @ (or a tab/CR) is run as a formula by spreadsheets, and people
    type many of our texts themselves (on /apply/, in the portal), so such text gets a quote.
    Anything that is not text (amounts, dates) is returned unchanged.
    """
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
