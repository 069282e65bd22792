"""Importing the register from a file, at database speed (issue 16).

The rows are checked and written by `advisors.resources.AdvisorResource` (django-import-export,
with a bulk path: no query per row, the whole file written together with its history). This
module is the door other code uses:

- `import_register_file(data, filename=…, user=…, dry_run=…)`: check (and, unless `dry_run`,
  import) a file in this process and say what happened, with counts;
- `advisors.services.import_job_start(…)`: for a large file, keep it on an ImportJob and
  queue `import_job_run_task` once the request commits; the admin shows its progress page;
- `advisors.services.import_job_run(job_id=…)`: what the task does. It may run twice (a
  retry, a redelivery): the job is claimed and finished under `select_for_update`, and a
  job that is done or failed is left alone.

An import is all or nothing: every row is checked first, then the file is written in one
transaction, and a file with any problem changes nothing.
"""

from dataclasses import dataclass, field

from ascru_pie.lib.imports import CSVImport, FileRefused, XLSXImport

# A module import (not `from .resources import …`): resources imports services, which
# imports this module, so each reads the others' names only when called.
from . import resources

# Files with more rows than this are imported by a Celery task, with a progress page:
# a request never runs near the web server's 30-second timeout.
BACKGROUND_ROWS = 1000


@dataclass
class RegisterImport:
    """What an import did (or, for a check, would do)."""

    rows: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)
    # The first rows, to show: {"row": spreadsheet row number, "type": …, "values": [...]}.
    sample: list[dict] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def register_dataset(data: bytes, *, filename: str):
    """The file's rows (CSV or .xlsx by its name); FileRefused says plainly why not."""
    reader = XLSXImport() if filename.lower().endswith(".xlsx") else CSVImport()
    return reader.create_dataset(data)


def register_import_summary(result) -> RegisterImport:
    """The counts, problems and sample of a django-import-export result."""
    totals = result.totals
    return RegisterImport(
        rows=result.total_rows,
        new=totals.get("new", 0),
        updated=totals.get("update", 0),
        skipped=totals.get("skip", 0),
        problems=list(getattr(result, "problems", [])),
        sample=list(getattr(result, "sample", [])),
        headers=list(result.diff_headers or []),
    )


def import_register_file(
    data: bytes, *, filename: str, user, dry_run: bool = False, progress=None
) -> RegisterImport:
    """Check a register file and, unless `dry_run`, import it: all rows or none.

    Writes the advisors, their history and the admin's log in one transaction, and switches
    off the login of anyone the file marks as left. `progress(rows_done)` is called every
    few hundred rows.
    """
    try:
        dataset = register_dataset(data, filename=filename)
    except FileRefused as exc:
        return RegisterImport(problems=[str(exc)])
    result = resources.AdvisorResource().import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        user=user,
        progress=progress,
    )
    summary = register_import_summary(result)
    if not summary.ok:
        summary.new = summary.updated = summary.skipped = 0
    return summary
