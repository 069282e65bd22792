"""The bench's figures as one markdown report: the page table, then every other figure with
its target (issue 16) and whether it holds."""

from .pages import PAGES, TRIVIAL

MAX_QUERIES = 12
IMPORT_MIN_ROWS_PER_S = 2000
REMINDERS_MAX_PER_ADVISOR = 0.05
LOAD_MIN_RATIO = 0.5
PDF_MAX_RATIO = 1.5
PDF_MAX_MB = 500


def _yes(ok: bool, why: str = "") -> str:
    return "yes" if ok else f"**no**{': ' + why if why else ''}"


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:.1f}"


def pages_table(small: dict, large: dict, *, factors: tuple[int, int]) -> list[str]:
    n1, n2 = factors
    trivial = large["pages"][TRIVIAL[0]]
    base = trivial["median"]
    lines = [
        f"| page | queries N={n1} | queries N={n2} | median ms N={n2} | × trivial "
        f"(trivial ms) | target | holds? |",
        "|---|---|---|---|---|---|---|",
    ]
    for page in [None, *PAGES]:
        label = TRIVIAL[0] if page is None else page.label
        a, b = small["pages"][label], large["pages"][label]
        problems = []
        if a["status"] != 200 or b["status"] != 200:
            problems.append(f"status {a['status']}/{b['status']}")
        if page is None:
            lines.append(
                f"| {label} | {a['queries']} | {b['queries']} | {_ms(b['median'])} | 1× | "
                f"baseline | {_yes(not problems, ', '.join(problems))} |"
            )
            continue
        if b["queries"] > MAX_QUERIES:
            problems.append(f"{b['queries']} queries")
        if a["queries"] != b["queries"]:
            problems.append("queries grow")
        ratio = b["median"] / base if b["median"] is not None and base else None
        if ratio is not None and ratio > page.max_ratio:
            problems.append(f"{ratio:.1f}×")
        ratio_text = "n/a" if ratio is None else f"{ratio:.1f}× ({_ms(base)})"
        lines.append(
            f"| {label} | {a['queries']} | {b['queries']} | {_ms(b['median'])} | {ratio_text} "
            f"| ≤ {MAX_QUERIES} q, same; ≤ {page.max_ratio:g}× | "
            f"{_yes(not problems, ', '.join(problems))} |"
        )
    sizes = ", ".join(
        f"{page.label} {large['pages'][page.label]['bytes'] / 1024:,.0f}" for page in PAGES
    )
    lines += ["", f"HTML at N={n2}, KB: {sizes}."]
    return lines


def others(figures: dict, *, large: int) -> list[str]:
    lines = ["", "| measure | figure | target | holds? |", "|---|---|---|---|"]
    imp = figures.get("import")
    if imp:
        copy = imp.get("copy_seconds")
        ratio = (
            f"{imp['seconds'] / copy:,.0f}× the time of COPY of the same file ({copy * 1000:.0f} ms)"
            if copy
            else "COPY n/a (SQLite)"
        )
        pilot = imp.get("estimated_from_pilot")
        measured = (
            f"a pilot of {imp['rows']:,} rows (the whole {pilot['rows']:,} would take "
            f"~{pilot['seconds']:,.0f} s)"
            if pilot
            else f"{imp['rows']:,} rows"
        )
        lines.append(
            f"| import of new advisors, {measured}, into N={large} ({imp['path']}) | "
            f"{imp['rows_per_s']:,.0f} rows/s ({imp['seconds']:.1f} s, {imp['queries']:,} queries, "
            f"{imp['created']:,} created); {ratio} | ≥ {IMPORT_MIN_ROWS_PER_S:,} rows/s | "
            f"{_yes(imp['rows_per_s'] >= IMPORT_MIN_ROWS_PER_S and imp['created'] == imp['rows'])} |"
        )
    rem = figures.get("reminders")
    if rem:
        for name, text in [("first", "first hour"), ("second", "an hour later, nothing new due")]:
            run = rem[name]
            holds = (
                _yes(run["per_advisor"] <= REMINDERS_MAX_PER_ADVISOR)
                if name == "second"
                else "(bounded by what is due)"
            )
            target = f"≤ {REMINDERS_MAX_PER_ADVISOR} q/advisor" if name == "second" else "—"
            lines.append(
                f"| reminders run, {text} (N={large}, {rem['advisors']:,} advisors) | "
                f"{run['queries']:,} queries, {run['seconds']:.2f} s, {run['new']:,} new emails, "
                f"{run['per_advisor']:.3f} q/advisor | {target} | {holds} |"
            )
    pdf = figures.get("pdf")
    if pdf:
        ratio = pdf["total"] / pdf["weasyprint"]
        lines.append(
            f"| annual PDF {pdf['year']} (N={large}) | {pdf['total']:.1f} s total, WeasyPrint "
            f"alone {pdf['weasyprint']:.1f} s: {ratio:.2f}×; peak RSS {pdf['peak_rss_mb']:.0f} MB "
            f"| ≤ {PDF_MAX_RATIO}×, < {PDF_MAX_MB} MB | "
            f"{_yes(ratio <= PDF_MAX_RATIO and pdf['peak_rss_mb'] < PDF_MAX_MB)} |"
        )
    load = figures.get("load")
    if load:
        ratio = load["portal"]["rps"] / load["healthz"]["rps"]
        errors = load["portal"]["errors"] + load["healthz"]["errors"]
        lines.append(
            f"| load, gunicorn {load['workers']} workers, {load['threads']} keep-alive clients "
            f"(N={large}) | portal home {load['portal']['rps']:.0f} req/s, /healthz "
            f"{load['healthz']['rps']:.0f} req/s: {ratio:.2f}×"
            + (f", {errors} errors" if errors else "")
            + f" | ≥ {LOAD_MIN_RATIO}× | {_yes(ratio >= LOAD_MIN_RATIO and not errors)} |"
        )
    for name, why in figures.get("skipped", {}).items():
        lines.append(f"| {name} | not measured: {why} | | |")
    return lines
