"""Where uploaded files live: every upload is private, served only by views that check access."""

import filecmp
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils.html import format_html


class PrivateStorage(FileSystemStorage):
    """Files outside any public URL: `.url` raises, so nothing can link to the file itself.

    (FileSystemStorage's `base_url=None` would fall back to MEDIA_URL.) Links go to the
    app's download views, which check who is asking; admin forms use PrivateFileInput.
    """

    def url(self, name):
        raise ValueError("A private file has no URL; link to its download view instead.")


def private_storage() -> FileSystemStorage:
    """Receipts, evidence, certificates, papers and reports: in PRIVATE_MEDIA_ROOT."""
    return PrivateStorage(location=settings.PRIVATE_MEDIA_ROOT)


def files_move(*, names: Iterable[str], source: Path, target: Path) -> int:
    """Move stored files (by storage name) from one root to another; returns how many moved.

    Used by migrations that take a field from the public media folder to private storage.
    Safe to run twice: a name already moved is skipped, and a copy left in `source` that is
    identical to the one in `target` is removed. A different file already at the target is
    never overwritten (both are kept, and the source copy is left where it is).
    """
    source, target = Path(source).resolve(), Path(target).resolve()
    moved = 0
    for name in names:
        if not name:
            continue
        src, dst = (source / name).resolve(), (target / name).resolve()
        if not (src.is_relative_to(source) and dst.is_relative_to(target)) or not src.is_file():
            continue
        if dst.exists():
            if filecmp.cmp(src, dst, shallow=False):
                src.unlink()
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(src, dst)
        moved += 1
    return moved


class _DownloadLink:
    """What ClearableFileInput's template reads from the current file: `url` and its text."""

    def __init__(self, *, url: str, name: str) -> None:
        self.url, self.name = url, name

    def __str__(self) -> str:
        return PurePosixPath(self.name).name


class PrivateFileInput(AdminFileWidget):
    """A file input (admin) whose "Currently" link is the access-checked download view.

    A private file has no URL of its own (`.url` raises), so the stock widget cannot show it;
    this one links to `url_name`, reversed with `args(instance)` (default: the row's pk) of
    the row that holds the file.
    """

    def __init__(
        self, *, url_name: str, args: Callable[[Any], list] = lambda obj: [obj.pk], attrs=None
    ) -> None:
        super().__init__(attrs)
        self.url_name, self.args = url_name, args

    def is_initial(self, value) -> bool:
        instance = getattr(value, "instance", None)
        return bool(value and getattr(value, "name", None) and getattr(instance, "pk", None))

    def format_value(self, value):
        if self.is_initial(value):
            url = reverse(self.url_name, args=self.args(value.instance))
            return _DownloadLink(url=url, name=value.name)
        return None


def private_file_link(file, *, url_name: str, args: list) -> str:
    """For admin read-only displays: the file's name, linked to its download view."""
    if not file:
        return "-"
    return format_html(
        '<a href="{}">{}</a>', reverse(url_name, args=args), PurePosixPath(file.name).name
    )
