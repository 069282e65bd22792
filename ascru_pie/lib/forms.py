"""Small helpers every view with a form uses."""

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, or None on GET.

    Not `request.POST or None`: an empty POST must still be a bound (and checked) form.
    """
    return request.POST if request.method == "POST" else None
