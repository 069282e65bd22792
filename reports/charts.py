"""Simple SVG bar charts, drawn the same way for the dashboard and the PDF.

Each chart has a <title> and <desc> for screen readers, and every page that shows one
also shows the same numbers as a table.
"""

from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape


@dataclass
class Bar:
    label: str
    value: float


def bar_chart(
    *,
    title: str,
    bars: list[Bar],
    unit: str = "",
    width: int = 640,
    bar_height: int = 26,
    chart_id: str = "chart",
) -> str:
    """A horizontal bar chart as an SVG string (labels left, values at the end of each bar).

    `chart_id` must be unique on the page: it names the chart's title and description.
    No inline style (the Content Security Policy allows none): `.bar-chart` in app.css keeps
    it at most 640px wide on the page, and pdf.css sizes it in the PDF.
    """
    label_w = max(230, min(360, 8 * max((len(b.label) for b in bars), default=0) + 16))
    pad, value_w = 8, 70
    height = pad * 2 + max(1, len(bars)) * (bar_height + pad)
    top = max((float(b.value) for b in bars), default=0) or 1
    plot_w = width - label_w - value_w - pad * 2
    summary = "; ".join(f"{b.label}: {_fmt(b.value)}{unit}" for b in bars) or "no data"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="bar-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = pad + i * (bar_height + pad)
        w = 0 if top == 0 else plot_w * float(bar.value) / top
        parts.append(
            f'<text x="{label_w - pad}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" font-family="DejaVu Sans, sans-serif" '
            f'font-size="13" fill="#0b0c0c">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="#1d3b5c"/>'
            f'<text x="{label_w + w + pad:.1f}" y="{y + bar_height * 0.7:.1f}" font-family="DejaVu Sans, sans-serif" '
            f'font-size="13" fill="#0b0c0c">{escape(_fmt(bar.value))}{escape(unit)}</text>'
        )
    if not bars:
        parts.append(
            f'<text x="{pad}" y="{pad + 18}" font-family="DejaVu Sans, sans-serif" font-size="13">No data yet</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        value = float(value)
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
