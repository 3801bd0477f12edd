"""Inline SVG charts for index.html: small, dependency-free, hover values via <title>.

Why SVG strings and not matplotlib here: inline SVG prints sharp, is searchable, needs no
script to show, and each point carries its values in a <title> the browser shows on hover.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from html import escape

LEVEL_COLOURS = {
    "high": "#2ca02c",
    "medium": "#ff9f1c",
    "insufficient_data": "#9bb7d4",
    "low": "#d62728",
}
VERDICT_COLOURS = {
    "data_incident": "#d62728",
    "repaired_incident": "#9467bd",
    "real_movement": "#1f77b4",
    "uncertain": "#7f7f7f",
}


def _finite(value: object) -> bool:
    return value is not None and isinstance(value, int | float) and math.isfinite(value)


def _ids(text: str) -> str:
    """`text` made safe as (part of) an element id."""
    return "".join(char if char.isalnum() or char in "-_" else "_" for char in text)


def health_colour(health: float | None) -> str:
    """Red (0) to yellow (0.5) to green (1): the quality heatmap's scale."""
    if not _finite(health):
        return "#eeeeee"
    h = min(1.0, max(0.0, float(health)))
    if h < 0.5:
        red, green = 215, int(48 + (190 - 48) * h * 2)
    else:
        red, green = int(215 - (215 - 44) * (h - 0.5) * 2), int(190 - (190 - 160) * (h - 0.5) * 2)
    return f"#{red:02x}{green:02x}40"


def trust_colour(score: float | None, level: str | None = None) -> str:
    """Colour of a trust cell: by level when known, else by the README's score bands."""
    if level in LEVEL_COLOURS:
        return LEVEL_COLOURS[level]
    if not _finite(score):
        return "#eeeeee"
    return "#2ca02c" if score >= 90 else "#ff9f1c" if score >= 70 else "#d62728"


class Scale:
    """A linear map from a data interval to a pixel interval."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        if high == low:
            low, high = low - 1, high + 1
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


def _path(points: Sequence[tuple[float, float | None]]) -> str:
    """An SVG path through the points, broken where a value is missing."""
    parts, pen_down = [], False
    for x, y in points:
        if y is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return "".join(parts)


def kpi_chart(
    days: Sequence[dt.date],
    value: Sequence[float | None],
    reported: Sequence[float | None],
    tooltip: Sequence[str],
    trust: Sequence[tuple[float | None, str | None, str]],
    band: Sequence[tuple[float | None, float | None]] | None = None,
    flags: Sequence[tuple[int, str, str]] = (),
    forecast: Sequence[tuple[dt.date, float, float | None, float | None]] = (),
    label: Callable[[float], str] = lambda v: f"{v:,.3g}",
    chart_id: str = "kpi",
    width: int = 560,
    height: int = 190,
) -> str:
    """One KPI series: adjusted (solid) and reported (dashed) lines, the anomaly band, flagged
    days coloured by verdict, the forecast after the last day, and a trust strip underneath.

    `tooltip[i]` is the hover text of day i; `trust[i]` = (score, level, reason); `flags` =
    (day index, verdict, sentence); `forecast` = (date, expected, lower, upper).
    """
    left, right, top, strip = 58, 8, 8, 14
    plot_bottom = height - strip - 26
    all_days = list(days) + [row[0] for row in forecast]
    first, last = all_days[0], all_days[-1]
    x = Scale(0, max(1, (last - first).days), left, width - right)

    def xd(day: dt.date) -> float:
        return x((day - first).days)

    observed = [v for v in (*value, *reported) if _finite(v)]
    observed += [row[1] for row in forecast if _finite(row[1])]
    if not observed:
        observed = [0.0]
    low, high = min(observed), max(observed)
    pad = (high - low) * 0.08 or abs(high) * 0.1 or 1
    y = Scale(low - pad, high + pad, plot_bottom, top)
    clip = f"clip-{_ids(chart_id)}"
    out = [
        f'<svg class="chart kpi-chart" viewBox="0 0 {width} {height}" role="img" >',
        f'<clipPath id="{clip}"><rect x="{left}" y="{top}" width="{width - left - right}" '
        f'height="{plot_bottom - top}"/></clipPath>',
        f'<rect class="frame" x="{left}" y="{top}" width="{width - left - right}" '
        f'height="{plot_bottom - top}" fill="none" stroke="#ddd"/>',
    ]
    for tick in (low, (low + high) / 2, high):
        out.append(
            f'<text class="tick" x="{left - 4}" y="{y(tick) + 3:.1f}" text-anchor="end">'
            f"{escape(label(tick))}</text>"
        )
    out.append(f'<g clip-path="url(#{clip})">')
    if band:
        upper = [(xd(d), y(u)) for d, (_, u) in zip(days, band, strict=False) if _finite(u)]
        lower = [(xd(d), y(lo)) for d, (lo, _) in zip(days, band, strict=False) if _finite(lo)]
        if upper and lower:
            ring = upper + lower[::-1]
            out.append(
                '<polygon class="band" points="'
                + " ".join(f"{px:.1f},{py:.1f}" for px, py in ring)
                + '"><title>anomaly band: expected range</title></polygon>'
            )
    if forecast:
        ring = [(xd(d), y(u)) for d, _, _, u in forecast if _finite(u)]
        ring += [(xd(d), y(lo)) for d, _, lo, _ in reversed(forecast) if _finite(lo)]
        if len(ring) > 2:
            out.append(
                '<polygon class="forecast-band" points="'
                + " ".join(f"{px:.1f},{py:.1f}" for px, py in ring)
                + '"/>'
            )
        out.append(
            f'<path class="forecast" d="{_path([(xd(d), y(e)) for d, e, _, _ in forecast])}"/>'
        )
        for d, e, lo, up in forecast:
            bounds = f" ({label(lo)} – {label(up)})" if _finite(lo) and _finite(up) else ""
            out.append(
                f'<circle class="pt forecast-pt" cx="{xd(d):.1f}" cy="{y(e):.1f}" r="2">'
                f"<title>{d} forecast {escape(label(e))}{escape(bounds)}</title></circle>"
            )

    def points(values: Sequence[float | None]) -> list[tuple[float, float | None]]:
        return [(xd(d), y(v) if _finite(v) else None) for d, v in zip(days, values, strict=True)]

    points_reported, points_value = points(reported), points(value)
    out.append(f'<path class="reported" d="{_path(points_reported)}"/>')
    out.append(f'<path class="adjusted" d="{_path(points_value)}"/>')
    for (px, py), text in zip(points_value, tooltip, strict=False):
        if py is not None:
            out.append(
                f'<circle class="pt" cx="{px:.1f}" cy="{py:.1f}" r="2.2">'
                f"<title>{escape(text)}</title></circle>"
            )
    for index, verdict, sentence in flags:
        px, py = points_value[index]
        if py is None:
            continue
        colour = VERDICT_COLOURS.get(verdict, "#444")
        out.append(
            f'<circle class="flag" data-verdict="{escape(verdict)}" cx="{px:.1f}" cy="{py:.1f}" '
            f'r="5" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(str(days[index]))} {escape(verdict)}: {escape(sentence)}</title>"
            "</circle>"
        )
    out.append("</g>")
    cell = (x(1) - x(0)) if len(days) > 1 else 4
    strip_top = plot_bottom + 4
    for day, (score, level, reason) in zip(days, trust, strict=False):
        score_text = f"{score:.0f}" if _finite(score) else "–"
        out.append(
            f'<rect class="trust-cell" x="{xd(day) - cell / 2:.1f}" y="{strip_top}" '
            f'width="{max(cell, 1):.1f}" height="{strip}" fill="{trust_colour(score, level)}">'
            f"<title>{day} trust {score_text} {escape(level or '')}"
            f"{': ' + escape(reason[:300]) if reason else ''}</title></rect>"
        )
    out.append(
        f'<text class="tick" x="{left - 4}" y="{strip_top + 11}" text-anchor="end">trust</text>'
    )
    labels = [(first, "start"), (last, "end")]
    if forecast and xd(last) - xd(days[-1]) > 80:  # where the forecast starts, if room
        labels.insert(1, (days[-1], "middle"))
    for day, anchor in labels:
        out.append(
            f'<text class="tick" x="{xd(day):.1f}" y="{height - 4}" text-anchor="{anchor}">'
            f"{day}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def heatmap(
    rows: Sequence[str],
    columns: Sequence[dt.date],
    cells: Callable[[int, int], tuple[str, str] | None],
    row_attrs: Callable[[int], str] = lambda _: "",
    label_width: int = 190,
    cell_height: int = 13,
) -> str:
    """A rows × days grid of coloured cells; `cells(r, c)` gives (colour, hover text) or None."""
    cell_width = max(3.0, min(9.0, 700 / max(1, len(columns))))
    width = label_width + cell_width * len(columns) + 6
    height = cell_height * len(rows) + 20
    out = [f'<svg class="chart heatmap" viewBox="0 0 {width:.0f} {height}" width="{width:.0f}">']
    for r, name in enumerate(rows):
        y = r * cell_height
        out.append(f"<g {row_attrs(r)}>")
        out.append(
            f'<text class="tick" x="{label_width - 4}" y="{y + cell_height - 3}" '
            f'text-anchor="end">{escape(name)}</text>'
        )
        for c in range(len(columns)):
            found = cells(r, c)
            if found is None:
                continue
            colour, text = found
            out.append(
                f'<rect class="cell" x="{label_width + c * cell_width:.1f}" y="{y}" '
                f'width="{cell_width - 0.6:.1f}" height="{cell_height - 1}" fill="{colour}">'
                f"<title>{escape(text)}</title></rect>"
            )
        out.append("</g>")
    if columns:
        base = cell_height * len(rows) + 14
        out.append(f'<text class="tick" x="{label_width}" y="{base}">{columns[0]}</text>')
        out.append(
            f'<text class="tick" x="{width - 6:.0f}" y="{base}" text-anchor="end">'
            f"{columns[-1]}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def bars(
    days: Sequence[dt.date], counts: Sequence[float], tooltip: Sequence[str], colour: str
) -> str:
    """Counts per day as bars (hover: the day, the count and what it counts)."""
    width, height, left, bottom = 700, 90, 40, 16
    if not days:
        return ""
    first, last = days[0], days[-1]
    x = Scale(0, max(1, (last - first).days + 1), left, width - 4)
    top = max(counts) if counts else 1
    y = Scale(0, top or 1, height - bottom, 6)
    cell = x(1) - x(0)
    out = [
        f'<svg class="chart bars" viewBox="0 0 {width} {height}">',
        f'<text class="tick" x="{left - 4}" y="12" text-anchor="end">{top:,.0f}</text>',
        f'<text class="tick" x="{left - 4}" y="{height - bottom}" text-anchor="end">0</text>',
    ]
    for day, count, text in zip(days, counts, tooltip, strict=False):
        px = x((day - first).days)
        out.append(
            f'<rect class="bar" x="{px:.1f}" y="{y(count):.1f}" width="{max(cell - 1, 1):.1f}" '
            f'height="{y(0) - y(count):.1f}" fill="{colour}"><title>{escape(text)}</title></rect>'
        )
    out.append(f'<text class="tick" x="{left}" y="{height - 3}">{first}</text>')
    out.append(
        f'<text class="tick" x="{width - 4}" y="{height - 3}" text-anchor="end">{last}</text>'
    )
    out.append("</svg>")
    return "".join(out)
