"""Making exported spreadsheets safe to open, and reading our own escape back."""

import re

# Characters Excel refuses in a cell.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

# What a spreadsheet runs as a formula: = + - @ first, even after spaces or line breaks
# (Excel and LibreOffice skip them), or a cell that starts with a tab or carriage return.
_FORMULA = re.compile(r"^(?:[ \n]*[=+\-@]|[\t\r])")


def needs_escape(value: str) -> bool:
    """Whether a text would be run by a spreadsheet, or looks like one of our escapes.

    A text that already starts with a quote followed by a formula is escaped too, so that
    `cell_unescape` gives back exactly what was exported (the escape can be undone).
    """
    if _FORMULA.match(value):
        return True
    return value.startswith("'") and needs_escape(value[1:])


def cell_safe(value):
    """Text that a spreadsheet will show, never run.

    A cell starting with = + - @ (also after spaces or a line break), or with a tab/CR, is run
    as a formula by spreadsheets, and people type many of our texts themselves (on /apply/,
    in the portal), so such text gets a quote. Anything that is not text (amounts, dates) is
    returned unchanged. Imports undo the quote with `cell_unescape`.
    """
    if not isinstance(value, str):
        return value
    value = _ILLEGAL.sub("", value)
    return f"'{value}" if needs_escape(value) else value


def cell_unescape(value):
    """The text `cell_safe` was given: a quote is dropped only where `cell_safe` adds one.

    So "'+44 7700 900123" comes back as "+44 7700 900123", while "'Tis" stays as it is.
    """
    if isinstance(value, str) and value.startswith("'") and needs_escape(value[1:]):
        return value[1:]
    return value
