"""Reading uploaded spreadsheets safely, for every import door.

Every file anyone uploads as rows (the register and attendance imports in the admin, finance's
paid file) is read here, by `csv_table` or `xlsx_table`, before anything else sees it:

- its size is checked first, and an Excel workbook (a zip) is checked from its table of
  contents (total unpacked size, compression ratio, number of parts, no XML DOCTYPE or
  entities) before any parser opens it, so a small file that inflates to gigabytes is refused
  in milliseconds with flat memory;
- a CSV file is read as UTF-8 (with or without the BOM Excel adds) or else as Windows-1252, and
  refused with a plain message when it is neither;
- rows keep their spreadsheet numbers (the column names are row 1), and the quote our exports
  put before a formula-like text (`ascru_pie.lib.exports.cell_safe`) is taken off again.

Admin imports use `SafeImportExportModelAdmin` and a `SafeModelResource`: dates are UK dates
(`parse_uk_date`), numbers and yes/no answers are read strictly, column names are checked,
the same record twice in a file is refused naming both rows, and every problem is a sentence
naming the row and the column (`SafeModelResource.import_problems`), never a traceback,
a constraint name or a library's exception text.
"""

import calendar
import csv
import datetime
import functools
import io
import logging
import operator
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

import openpyxl
import tablib
from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    ValidationError,
)
from django.db import IntegrityError, models
from django.db.models import NOT_PROVIDED, Q
from django.shortcuts import redirect
from import_export import resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.forms import ImportForm
from import_export.results import RowResult
from import_export.utils import get_related_model
from openpyxl.utils import get_column_letter

from .exports import cell_safe, cell_unescape

logger = logging.getLogger(__name__)

# Limits for one uploaded file. The register has hundreds of rows, not tens of thousands.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 100
# An .xlsx is a zip of XML. Real workbooks unpack to a few times their size (at most about
# 30 times for very repetitive sheets); a "zip bomb" unpacks to hundreds or thousands of times.
MAX_UNZIPPED_BYTES = 25 * 1024 * 1024
MAX_RATIO = 100
MAX_PARTS = 500
# How much of each XML part is searched for a DOCTYPE (spreadsheets never have one).
PROLOG_BYTES = 64 * 1024

_UNREADABLE_XLSX = (
    "The Excel file could not be read. Open it in Excel, save it again as an Excel workbook "
    "(.xlsx), and upload it again."
)
_ZIP = b"PK\x03\x04"
_OLD_EXCEL = b"\xd0\xcf\x11\xe0"


class FileRefused(ValueError):
    """The file as a whole cannot be used; the message says why in plain words."""


class RowRefused(ValueError):
    """One row (or cell) cannot be used; the message says why in plain words."""


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def size_check(size: int, max_bytes: int = MAX_BYTES) -> None:
    if size > max_bytes:
        raise FileRefused(
            f"The file is {_megabytes(size)}, larger than the {_megabytes(max_bytes)} this "
            "import accepts. Split it into smaller files."
        )


# --- the file as a whole -----------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _table(rows: Iterable[Sequence], *, max_rows: int) -> tablib.Dataset:
    """The rows as a Dataset: the first row names the columns, blank rows are kept (so row
    numbers stay those of the spreadsheet) except at the end, and our export's quote is undone.
    """
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return tablib.Dataset()
    headers = [_header(h) for h in first]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    if width > MAX_COLUMNS:
        raise FileRefused(f"The file has more than {MAX_COLUMNS} columns; this import reads fewer.")
    data: list[list] = []
    filled = 0
    for number, values in enumerate(rows, start=2):
        values = list(values)
        for index in range(width, len(values)):
            if not _blank(values[index]):
                raise FileRefused(
                    f"Row {number} has a value in column {get_column_letter(index + 1)}, which "
                    "has no name in the first row. Name the column or delete the value."
                )
        values = values[:width] + [None] * (width - len(values))
        data.append([cell_unescape(v) for v in values])
        if not all(_blank(v) for v in values):
            filled += 1
        if filled > max_rows or len(data) > 10 * max_rows:
            raise FileRefused(
                f"The file has more than {max_rows} rows; split it into smaller files."
            )
    while data and all(_blank(v) for v in data[-1]):
        data.pop()
    return tablib.Dataset(*data, headers=headers)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise FileRefused(
        "The letters in this file could not be read. In Excel choose Save As, then "
        "“CSV UTF-8 (Comma delimited)”, and upload that file."
    )


def csv_table(
    content: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> tablib.Dataset:
    """A CSV file's rows (UTF-8, with or without a BOM, or Windows-1252)."""
    size_check(len(content), max_bytes)
    if content.startswith(_ZIP):
        raise FileRefused("This file is an Excel workbook, not a CSV file: upload it as .xlsx.")
    if content.startswith(_OLD_EXCEL):
        raise FileRefused(
            "This is an old-style Excel file (.xls): save it as an Excel workbook (.xlsx) or "
            "as CSV, then upload it again."
        )
    reader = csv.reader(io.StringIO(_decode(content), newline=""))
    try:
        return _table(reader, max_rows=max_rows)
    except csv.Error:
        raise FileRefused(
            f"The CSV file could not be read at row {reader.line_num}. Save it again from "
            "your spreadsheet as CSV and upload it again."
        ) from None


def xlsx_check(content: bytes, *, max_bytes: int = MAX_BYTES) -> None:
    """Refuse a workbook that would unpack too far, from the zip's table of contents alone.

    No part is unpacked except the first 64 KB of each XML part, searched for a DOCTYPE (which
    is how entity-expansion attacks start; Excel never writes one). Python's zipfile never
    unpacks more than a part's declared size, so a table of contents that lies gives a damaged
    file, not a bigger one.
    """
    size_check(len(content), max_bytes)
    if content.startswith(_OLD_EXCEL):
        raise FileRefused(
            "This is an old-style Excel file (.xls): save it as an Excel workbook (.xlsx) or "
            "as CSV, then upload it again."
        )
    if not content.startswith(_ZIP):
        raise FileRefused(
            "This file is not an Excel workbook (.xlsx). Save it from Excel as .xlsx, or "
            "upload a CSV file."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            unpacked = sum(p.file_size for p in parts)
            packed = sum(p.compress_size for p in parts)
            if len(parts) > MAX_PARTS:
                raise FileRefused(
                    f"The Excel file has {len(parts)} parts, far more than a spreadsheet has; "
                    "it was refused as unsafe."
                )
            if unpacked > MAX_UNZIPPED_BYTES:
                raise FileRefused(
                    f"The Excel file would unpack to {_megabytes(unpacked)}, more than the "
                    f"{_megabytes(MAX_UNZIPPED_BYTES)} a spreadsheet for this import can be. "
                    "Save just the sheet to import, or save it as CSV, and upload that."
                )
            if unpacked > 1024 * 1024 and unpacked > MAX_RATIO * max(packed, 1):
                raise FileRefused(
                    f"The Excel file unpacks to {unpacked // max(packed, 1)} times its size, far "
                    "more than a real spreadsheet does; it was refused as unsafe."
                )
            for part in parts:
                if part.filename.endswith((".xml", ".rels", ".vml")):
                    with archive.open(part) as stream:
                        prolog = stream.read(PROLOG_BYTES)
                    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                        raise FileRefused(
                            "The Excel file contains XML that spreadsheets never use (a "
                            "DOCTYPE), so it was refused as unsafe."
                        )
    except FileRefused:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        RuntimeError,
        ValueError,
        NotImplementedError,
    ):
        # Damaged, encrypted, or an unsupported compression method.
        raise FileRefused(_UNREADABLE_XLSX) from None


def xlsx_table(
    content: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> tablib.Dataset:
    """The first (active) sheet's rows, after `xlsx_check`. Cells that are dates stay dates."""
    xlsx_check(content, max_bytes=max_bytes)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.active if book.active is not None else book.worksheets[0]
            # Trust the cells, not the sheet's declared size: a sheet may claim a million
            # columns, and only the first MAX_COLUMNS (+1, to notice more) are ever looked at.
            sheet.reset_dimensions()
            return _table(
                sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), max_rows=max_rows
            )
        finally:
            book.close()
    except FileRefused:
        raise
    except Exception:  # openpyxl and expat raise many kinds for a damaged workbook
        logger.info("An uploaded workbook could not be read", exc_info=True)
        raise FileRefused(_UNREADABLE_XLSX) from None


def read_table(
    *, name: str, content: bytes, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> tablib.Dataset:
    """A .csv or .xlsx file's rows, chosen by the file's name."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "xlsx":
        if not content.startswith(_ZIP):
            raise FileRefused("This file is named .xlsx but is not an Excel workbook.")
        return xlsx_table(content, max_bytes=max_bytes, max_rows=max_rows)
    if extension == "csv":
        return csv_table(content, max_bytes=max_bytes, max_rows=max_rows)
    raise FileRefused("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")


# --- UK dates ----------------------------------------------------------------------------

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}")
_WORDS = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]+)\.?,?[ -](\d{4})", re.IGNORECASE)
DATE_HINT = "write it as DD/MM/YYYY (03/04/2025), YYYY-MM-DD or 3 Apr 2025"


class DateRefused(RowRefused):
    """A cell that is not a UK date: `str()` is the sentence, `detail` the reason on its own."""

    def __init__(self, text: str, reason: str, detail: str = "") -> None:
        super().__init__(f"“{text}” {reason}.")
        self.text = text
        self.detail = detail


def _real_date(text: str, year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12:
        detail = f"There is no month {month}."
        raise DateRefused(text, f"is not a real date: there is no month {month}", detail)
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        detail = f"{calendar.month_name[month]} {year} has {days} days."
        raise DateRefused(text, f"is not a real date: {detail[:-1]}", detail)
    return datetime.date(year, month, day)


def parse_uk_date(value) -> datetime.date | None:
    """A date written the UK way: 03/04/2025 is 3 April 2025, never 4 March.

    Accepts a date cell, DD/MM/YYYY (also with - or .), YYYY-MM-DD and "3 Apr 2025" /
    "3 April 2025". Raises DateRefused, saying why, for two-digit years, month/day/year order
    (a second number above 12), impossible dates (31/02/2026) and numbers. Empty gives None.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | int | float | Decimal):
        raise DateRefused(
            str(value),
            f"is a number, not a date: format the cell as a date, or {DATE_HINT}",
            "It is a number: format the cell as a date.",
        )
    text = str(value).strip()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _real_date(text, year, month, day)
    if match := _NUMERIC.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        if month > 12 and day <= 12:
            uk = f"{month:02d}/{day:02d}/{year}"
            raise DateRefused(
                text,
                f"reads as month/day/year; write dates day/month/year ({uk})",
                f"It reads as month/day/year; write dates day/month/year ({uk}).",
            )
        return _real_date(text, year, month, day)
    if _SHORT_YEAR.fullmatch(text):
        raise DateRefused(
            text,
            f"has a two-digit year, which could be any century: {DATE_HINT}",
            "It has a two-digit year, which could be any century.",
        )
    if (match := _WORDS.fullmatch(text)) and match.group(2).lower() in _MONTHS:
        day, year = int(match.group(1)), int(match.group(3))
        return _real_date(text, year, _MONTHS[match.group(2).lower()], day)
    raise DateRefused(text, f"is not a date: {DATE_HINT}")


# --- widgets: reading one cell strictly --------------------------------------------------


class UKDateWidget(widgets.DateWidget):
    """Dates the UK way (`parse_uk_date`); written out as YYYY-MM-DD, which nobody misreads."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)

    def clean(self, value, row=None, **kwargs):
        return parse_uk_date(value)


class PlainDecimalWidget(widgets.DecimalWidget):
    """An amount: 250, 250.00, £1,250.00; anything else is refused by name."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        if isinstance(value, bool):
            raise RowRefused(f"“{value}” is not a number.")
        if isinstance(value, int | Decimal):
            return Decimal(value)
        if isinstance(value, float):
            return Decimal(repr(value))
        text = str(value).strip().replace(",", "").replace("£", "", 1).strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise RowRefused(f"“{value}” is not a number.") from None
        if not number.is_finite():
            raise RowRefused(f"“{value}” is not a number.")
        return number


class PlainIntegerWidget(widgets.IntegerWidget):
    """A whole number; "2.5" is refused, never cut to 2."""

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        if isinstance(value, bool):
            raise RowRefused(f"“{value}” is not a whole number.")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).strip().replace(",", "")
        if match := re.fullmatch(r"(-?\d{1,15})(?:\.0*)?", text):
            return int(match.group(1))
        raise RowRefused(f"“{value}” is not a whole number.")


class PlainBooleanWidget(widgets.BooleanWidget):
    """Yes or no: yes/no, y/n, true/false or 1/0 (any case); anything else is refused."""

    TRUE = frozenset({"1", "yes", "y", "true"})
    FALSE = frozenset({"0", "no", "n", "false"})

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if _blank(value):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise RowRefused(f"“{value}” is not yes or no: use yes/no, true/false or 1/0.")


class LookupWidget(widgets.ForeignKeyWidget):
    """A related record by a key; one that does not exist is named, not a library error."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            value = value.strip()
        name = self.model._meta.verbose_name
        try:
            return super().clean(value, row, **kwargs)
        except MultipleObjectsReturned:
            raise RowRefused(f"more than one {name} matches “{value}”.") from None
        except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
            raise RowRefused(f"there is no {name} “{value}”.") from None


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Several related records by name, separated; a name that matches none is refused.

    With `cached=True` the related table (a short fixed list) is read once per import, not
    once per cell: `SafeModelResource.before_import` forgets it, so each import reads it
    afresh. The cleaned value is then a list, not a queryset.
    """

    def __init__(self, model, *args, cached: bool = False, **kwargs) -> None:
        super().__init__(model, *args, **kwargs)
        self.cached = cached
        self._by_name: dict[str, models.Model] | None = None

    def forget(self) -> None:
        self._by_name = None

    def _lookup(self) -> dict:
        if self._by_name is None:
            self._by_name = {str(getattr(o, self.field)): o for o in self.model.objects.all()}
        return self._by_name

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return [] if self.cached else self.model.objects.none()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        names = [n.strip() for n in str(value).split(self.separator) if n.strip()]
        if self.cached:
            lookup = self._lookup()
            found = list(dict.fromkeys(lookup[n] for n in names if n in lookup))
        else:
            found = self.model.objects.filter(**{f"{self.field}__in": names})
        known = {str(getattr(o, self.field)) for o in found}
        unknown = [n for n in names if n not in known]
        if unknown:
            allowed = (
                list(self._lookup())
                if self.cached
                else [str(a) for a in self.model.objects.values_list(self.field, flat=True)]
            )
            raise RowRefused(
                f"{', '.join(f'“{n}”' for n in unknown)} "
                f"{'is not one' if len(unknown) == 1 else 'are not'} of the "
                f"{self.model._meta.verbose_name_plural}: "
                f"{f'{self.separator} '.join(allowed) if allowed else 'there are none yet'}."
            )
        return found


# --- the resource: headers, blank rows, duplicates, plain problems -----------------------

# Django's own wording for an empty required value, said the way a spreadsheet user would.
_EMPTY = {"This field cannot be null.", "This field cannot be blank."}
_CONSTRAINT = re.compile(r"Constraint “.*” is violated\.")


def plain_message(message: str) -> str:
    if message in _EMPTY:
        return "it cannot be empty."
    if _CONSTRAINT.fullmatch(message):
        # Every constraint should have its own violation_error_message; this is the fallback.
        return "the values break one of the rules for this record."
    return message


# Comparisons a check constraint may use that are worked out in Python (see `check_holds`).
_COMPARE = {
    "exact": operator.eq,
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}
# `check_holds` cannot tell (an expression, a join, another lookup): ask the database.
CANNOT_TELL = object()


def _q_value(q: Q, instance):
    """True, False or None (SQL's unknown) for `q` on `instance`, or CANNOT_TELL."""
    results = []
    for child in q.children:
        if isinstance(child, Q):
            result = _q_value(child, instance)
        else:
            key, expected = child
            name, _, lookup = key.partition("__")
            lookup = lookup or "exact"
            try:
                field = instance._meta.get_field(name)
            except FieldDoesNotExist:
                return CANNOT_TELL
            if (
                "__" in lookup
                or hasattr(expected, "resolve_expression")
                or not getattr(field, "concrete", False)
            ):
                return CANNOT_TELL
            value = getattr(instance, field.attname)
            if lookup == "isnull":
                result = (value is None) == bool(expected)
            elif lookup not in _COMPARE:
                return CANNOT_TELL
            elif value is None or expected is None:
                result = None
            else:
                try:
                    result = bool(_COMPARE[lookup](value, expected))
                except TypeError:
                    return CANNOT_TELL
        if result is CANNOT_TELL:
            return CANNOT_TELL
        results.append(result)
    # SQL's three-valued AND / OR.
    if q.connector == Q.AND:
        value = False if False in results else (None if None in results else True)
    else:
        value = True if True in results else (None if None in results else False)
    if q.negated and value is not None:
        value = not value
    return value


def check_holds(constraint: models.CheckConstraint, instance):
    """Whether `instance` meets a check constraint, without a query: True or False, or
    CANNOT_TELL. Like the database (and Django's own check), unknown (NULL) passes."""
    value = _q_value(Q(constraint.condition), instance)
    return value if value is CANNOT_TELL else value is not False


def _q_fields(q: Q) -> set[str]:
    names = set()
    for child in q.children:
        names |= _q_fields(child) if isinstance(child, Q) else {child[0].split("__")[0]}
    return names


def _column_key(name: str) -> str:
    return re.sub(r"[\s\-_]+", "_", name.strip().lower())


def _key_part(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


class SafeModelResource(resources.ModelResource):
    """A ModelResource whose import reads cells strictly and reports problems in sentences.

    - columns are matched by name (any case, spaces or underscores); an unknown or repeated
      column, or a missing key column, refuses the file naming them;
    - an empty cell for a field with a default leaves the record's value as it is (a new
      record gets the default), so an ordinary spreadsheet with gaps imports;
    - a blank row is skipped and rows keep their spreadsheet numbers;
    - the same key twice in one file is refused naming both rows;
    - `result.problems` holds one sentence per problem, naming the row and column.

    Subclasses put their value cleaning in `clean_row(row)` (STYLE rule 10: hooks only clean).
    """

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        # An empty cell of a text field is "", never NULL (xlsx gives None for it).
        "TextField": widgets.CharWidget,
        "DecimalField": PlainDecimalWidget,
        "DateField": UKDateWidget,
        "BooleanField": PlainBooleanWidget,
        "NullBooleanField": PlainBooleanWidget,
        **dict.fromkeys(
            (
                "IntegerField",
                "PositiveIntegerField",
                "BigIntegerField",
                "PositiveBigIntegerField",
                "PositiveSmallIntegerField",
                "SmallIntegerField",
            ),
            PlainIntegerWidget,
        ),
    }

    @classmethod
    def get_fk_widget(cls, field):
        return functools.partial(LookupWidget, model=get_related_model(field))

    @classmethod
    def get_m2m_widget(cls, field):
        return functools.partial(StrictManyToManyWidget, model=get_related_model(field))

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._first_row: dict[tuple, int] = {}
        opts = self._meta.model._meta
        for field in self.fields.values():
            try:
                model_field = opts.get_field(field.attribute or "")
            except FieldDoesNotExist:
                continue
            if not model_field.null and model_field.has_default():
                # An empty cell keeps the record's value (a new record has the model's
                # default): it never writes NULL, nor resets a value to the default.
                field.saves_null_values = False
                field.default = NOT_PROVIDED

    # A resource whose import key is its model's unique field, and whose check constraints are
    # plain comparisons, sets this: rows are then validated with no query (the unique key is
    # already matched by the import and refused twice in one file; checks are worked out in
    # Python, `check_holds`), instead of a query per row for each constraint.
    validate_in_python = False

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not (self.validate_in_python and self._meta.clean_model_instances):
            return super().validate_instance(instance, import_validation_errors, validate_unique)
        errors = dict(import_validation_errors or {})
        imported = {f.attribute for f in self.get_import_fields() if f.attribute}
        # Fields the import never writes are not checked again (nor looked up as unique).
        untouched = {f.name for f in instance._meta.concrete_fields if f.name not in imported} - {
            instance._meta.pk.name
        }
        try:
            instance.full_clean(
                exclude=set(errors) | untouched,
                validate_unique=validate_unique,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        keys = set(self.get_import_id_fields())
        for constraint in instance._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and set(constraint.fields) <= keys:
                continue
            if isinstance(constraint, models.CheckConstraint):
                if _q_fields(Q(constraint.condition)) & set(errors):
                    continue
                holds = check_holds(constraint, instance)
                if holds is not CANNOT_TELL:
                    if not holds:
                        errors.setdefault(NON_FIELD_ERRORS, []).append(
                            ValidationError(
                                constraint.get_violation_error_message(),
                                code=constraint.violation_error_code,
                            )
                        )
                    continue
            try:
                constraint.validate(type(instance), instance, exclude=set(errors))
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def get_import_fields(self):
        # Asked for several times a row; the fields are fixed once the resource is made.
        if getattr(self, "_import_fields", None) is None:
            self._import_fields = super().get_import_fields()
        return self._import_fields

    # Hooks ------------------------------------------------------------------------------

    def clean_row(self, row) -> None:
        """Tidy one row's values in place; raise RowRefused with a sentence to refuse it."""

    def key_words(self, row) -> str:
        """How a row's key is said in the message about a repeated row."""
        return ", ".join(
            str(row.get(self.fields[name].column_name)) for name in self.get_import_id_fields()
        )

    # django-import-export's steps ----------------------------------------------------------

    def before_import(self, dataset, **kwargs) -> None:
        self._first_row = {}
        for field in self.fields.values():
            if isinstance(field.widget, StrictManyToManyWidget):
                field.widget.forget()
        self._check_headers(dataset)

    def _check_headers(self, dataset) -> None:
        columns = {_column_key(f.column_name): f.column_name for f in self.get_import_fields()}
        headers, unknown, seen = [], [], {}
        for index, header in enumerate(dataset.headers or []):
            text = _header(header)
            letter = get_column_letter(index + 1)
            if not text:
                if any(not _blank(row[index]) for row in dataset):
                    self._refuse(
                        dataset,
                        f"Column {letter} has values but no name in the first row: name it, or "
                        "delete the column.",
                    )
                headers.append("")
                continue
            column = columns.get(_column_key(text))
            if column is None:
                unknown.append(text)
                headers.append(text)
            elif column in seen:
                self._refuse(
                    dataset,
                    f"The column “{column}” appears twice in the first row (columns "
                    f"{seen[column]} and {letter}); keep one.",
                )
            else:
                seen[column] = letter
                headers.append(column)
        if unknown:
            self._refuse(
                dataset,
                f"The first row names {'a column' if len(unknown) == 1 else 'columns'} this "
                f"import does not know: {', '.join(f'“{u}”' for u in unknown)}. "
                f"The columns it reads are: {', '.join(columns.values())}.",
            )
        for name in self.get_import_id_fields():
            column = self.fields[name].column_name
            if column not in seen:
                self._refuse(
                    dataset,
                    f"The file has no “{column}” column. Every row needs one: it is how rows "
                    f"are matched to the {self._meta.model._meta.verbose_name_plural} already "
                    "held.",
                )
        if dataset.headers:
            dataset.headers = headers

    @staticmethod
    def _refuse(dataset, message: str):
        # No row is looked at once the file is refused: one message, not one per row.
        dataset.wipe()
        raise FileRefused(message)

    def import_row(self, row, instance_loader, **kwargs):
        if all(_blank(v) for v in row.values()):
            result = self.get_row_result_class()()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        return super().import_row(row, instance_loader, **kwargs)

    def before_import_row(self, row, **kwargs) -> None:
        self.clean_row(row)
        # The key cells find the record; one that names nothing is said with its column.
        errors = {}
        for name in self.get_import_id_fields():
            field = self.fields[name]
            try:
                field.clean(row, **kwargs)
            except RowRefused as exc:
                errors[field.attribute] = str(exc)
        if errors:
            raise ValidationError(errors)
        key = tuple(
            _key_part(row.get(self.fields[name].column_name))
            for name in self.get_import_id_fields()
        )
        if all(key):
            number = kwargs.get("row_number", 0) + 1
            first = self._first_row.setdefault(key, number)
            if first != number:
                noun = self._meta.model._meta.verbose_name
                raise RowRefused(
                    f"it is the same {noun} as row {first} ({self.key_words(row)}). A file can "
                    f"hold each {noun} once: merge the two rows."
                )

    def import_instance(self, instance, row, **kwargs) -> None:
        # Many-to-many cells are only saved after the row; check them with the other cells,
        # so that a wrong one is named by its column and stops the row before it is saved.
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row, **kwargs)
                except RowRefused as exc:
                    errors.setdefault(field.attribute, []).append(ValidationError(str(exc)))
        if errors:
            raise ValidationError(errors)

    def import_data(self, dataset, *args, **kwargs):
        result = super().import_data(dataset, *args, **kwargs)
        result.problems = self.import_problems(result)
        return result

    def export_field(self, field, instance, **kwargs):
        # Text people typed must never run as a formula when the file is opened.
        return cell_safe(super().export_field(field, instance, **kwargs))

    # Problems in sentences ------------------------------------------------------------------

    def import_problems(self, result) -> list[str]:
        """Every problem of an import as a sentence: "Row 3, column “joined_on”: …".

        Rows are numbered as the spreadsheet numbers them (the column names are row 1).
        """
        columns = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
        problems = []
        for error in result.base_errors:
            problems.append(_sentence(self._plain_error(error.error, None)))
        for number, errors in result.row_errors():
            for error in errors:
                problems.append(f"Row {number + 1}: {self._plain_error(error.error, number + 1)}")
        for invalid in result.invalid_rows:
            number = invalid.number + 1
            for attribute, messages_ in invalid.field_specific_errors.items():
                column = columns.get(attribute, attribute)
                for message in messages_:
                    problems.append(f"Row {number}, column “{column}”: {plain_message(message)}")
            for message in invalid.non_field_specific_errors:
                problems.append(f"Row {number}: {plain_message(message)}")
        return problems

    def _plain_error(self, error: BaseException, row: int | None) -> str:
        if isinstance(error, ValidationError):
            return " ".join(plain_message(m) for m in error.messages)
        if isinstance(error, FileRefused | RowRefused):
            return str(error)
        where = f"row {row}" if row else "the file"
        if isinstance(error, IntegrityError):
            logger.warning("Import of %s refused by the database", where, exc_info=error)
            return (
                "it could not be saved: a value is missing, or clashes with a record already held."
            )
        if isinstance(error, ObjectDoesNotExist):
            return "a record it names does not exist."
        logger.error("Import of %s failed", where, exc_info=error)
        return "it could not be imported because of a problem on our side, which has been logged."


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- formats and the admin ---------------------------------------------------------------


class CSVImport(base_formats.CSV):
    """CSV read as bytes, so that `csv_table` chooses the encoding (not the temp file)."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode()
        return csv_table(in_stream)


class XLSXImport(base_formats.XLSX):
    def create_dataset(self, in_stream, **kwargs):
        return xlsx_table(in_stream)


class SafeImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            size_check(upload.size)
        except FileRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class SafeImportExportModelAdmin(ImportExportModelAdmin):
    """The admin's import and export, with the checks above and problems in sentences.

    Imports are all or nothing. Exports are CSV (with a BOM, so Excel shows accented names)
    or XLSX, every text through `cell_safe`.
    """

    import_form_class = SafeImportForm
    import_template_name = "admin/import_export/plain_import.html"
    import_formats = [CSVImport, XLSXImport]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    to_encoding = "utf-8-sig"

    def has_import_permission(self, request) -> bool:
        # An import adds and changes rows: it needs both model permissions, not just a way
        # into the admin.
        return all(
            request.user.has_perm(
                f"{self.opts.app_label}.{get_permission_codename(code, self.opts)}"
            )
            for code in ("add", "change")
        )

    def has_export_permission(self, request) -> bool:
        # An export shows every row: only for people who may view them.
        codename = get_permission_codename("view", self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing: one bad row rolls back the whole file.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        upload = form.cleaned_data.get("import_file")
        if isinstance(e, FileRefused):
            message = str(e)
        else:
            logger.warning("An import file could not be read", exc_info=e)
            message = "The file could not be read: check it is the format you chose."
        form.add_error("import_file", message)
        # The refused file is not kept on the server.
        if getattr(upload, "tmp_storage_name", None):
            try:
                self.get_tmp_storage_class()(
                    name=upload.tmp_storage_name, **self.get_tmp_storage_class_kwargs()
                ).remove()
            except OSError:
                pass

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except (FileRefused, FileNotFoundError):
            messages.error(
                request,
                "The uploaded file is no longer on the server (or could not be read). "
                "Upload it again; nothing was imported.",
            )
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            problems = getattr(result, "problems", None) or ["The file could not be imported."]
            more = f" ({len(problems) - 5} more problems not shown.)" if len(problems) > 5 else ""
            messages.error(request, "Nothing was imported. " + " ".join(problems[:5]) + more)
            return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        return super().process_result(result, request)
