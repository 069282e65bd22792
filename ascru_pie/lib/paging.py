"""One way to cut a long list into pages, so every list page stays the same size as data grows."""

from django.core.paginator import Page, Paginator


def page_of(request, items, per_page: int) -> tuple[Page, list]:
    """The page the request asks for (?page=N; out of range gives the last) and the page
    numbers to offer, with gaps shown as the paginator's ELLIPSIS."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page, page_range
