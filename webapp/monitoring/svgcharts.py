"""Charts of the archived report as static SVG, drawn on the server from the same data Chart.js draws on the page.

The published report must look the same in the browser, in its PDF (WeasyPrint runs no JavaScript) and years
later: so its charts are plain SVG built here from `tables.chart_data`, with the table always printed beside them.
Hidden ("<5") values are simply not drawn.
"""

from __future__ import annotations

from html import escape
from typing import Any

from markupsafe import Markup

PALETTE = ("#0066CC", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#5C6F82", "#F0E442")
FONT = "Titillium Web, DejaVu Sans, Arial, sans-serif"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return step * 5
    return value


def _text(x, y, content, size=11, anchor="start", extra="") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-family="{FONT}" fill="#1A1A1A" '
        f'text-anchor="{anchor}"{extra}>{escape(str(content))}</text>'
    )


def _legend(datasets: list[dict], y: float, width: float) -> tuple[list[str], float]:
    """Coloured squares and labels, wrapping; returns the parts and the y of the last line."""
    parts, x = [], 10.0
    for index, dataset in enumerate(datasets):
        label = str(dataset["label"])
        if x + 30 + 7 * len(label) > width:
            x, y = 10.0, y + 18
        parts.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="12" fill="{PALETTE[index % 8]}"/>')
        parts.append(_text(x + 16, y + 1, label, 11))
        x += 30 + 6.5 * len(label)
    return parts, y


def _values(dataset: dict) -> list[float | None]:
    return [v if isinstance(v, (int, float)) else None for v in dataset["data"]]


def vertical(chart: dict[str, Any], width: int = 680, height: int = 280, line: bool = False) -> str:
    labels, datasets = chart["labels"], chart["datasets"]
    left, right, top, bottom = 44, 10, 16, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([v for d in datasets for v in _values(d) if v is not None] or [0])
    ymax = _nice_max(peak)
    parts = []
    for i in range(6):
        value = ymax * i / 5
        y = top + plot_h - plot_h * i / 5
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#D9DADB"/>')
        parts.append(_text(left - 6, y + 4, f"{value:g}".replace(".", ","), 10, "end"))
    n = max(len(labels), 1)
    slot = plot_w / n
    for index, label in enumerate(labels):
        x = left + slot * index + slot / 2
        parts.append(
            _text(x, top + plot_h + 14, label, 10, "end", f' transform="rotate(-40 {x:.1f} {top + plot_h + 14:.1f})"')
        )
    if line:
        for s, dataset in enumerate(datasets):
            points = []
            for index, value in enumerate(_values(dataset)):
                if value is None:
                    continue
                x = left + slot * index + slot / 2
                y = top + plot_h - plot_h * value / ymax
                points.append(f"{x:.1f},{y:.1f}")
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{PALETTE[s % 8]}"/>')
            if points:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{PALETTE[s % 8]}" stroke-width="2"/>'
                )
    else:
        bar_w = slot * 0.8 / max(len(datasets), 1)
        for s, dataset in enumerate(datasets):
            for index, value in enumerate(_values(dataset)):
                if not value:
                    continue
                h = plot_h * value / ymax
                x = left + slot * index + slot * 0.1 + bar_w * s
                parts.append(
                    f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[s % 8]}"/>'
                )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#5C6F82"/>')
    legend, last = _legend(datasets, height + 6, width)
    return _svg(width, last + 12, parts + legend, chart.get("title", ""))


def horizontal(chart: dict[str, Any], width: int = 680, stacked: bool = False, limit: int = 20) -> str:
    labels, datasets = chart["labels"][:limit], chart["datasets"]
    values = [_values(d)[:limit] for d in datasets]
    label_w, right, top, row_h = 250, 40, 10, 22
    plot_w = width - label_w - right
    if stacked:
        peak = max([sum(v[i] or 0 for v in values) for i in range(len(labels))] or [0])
    else:
        peak = max([x for v in values for x in v if x is not None] or [0])
    xmax = _nice_max(peak)
    parts = []
    for index, label in enumerate(labels):
        y = top + row_h * index
        short = label if len(label) <= 42 else label[:40] + "…"
        parts.append(_text(label_w - 6, y + row_h * 0.65, short, 10, "end"))
        offset = 0.0
        for s, series in enumerate(values):
            value = series[index]
            if not value:
                continue
            w = plot_w * value / xmax
            if stacked:
                parts.append(
                    f'<rect x="{label_w + offset:.1f}" y="{y + 3:.1f}" width="{w:.1f}" height="{row_h - 6}" '
                    f'fill="{PALETTE[s % 8]}"/>'
                )
                offset += w
            else:
                bar_h = (row_h - 6) / max(len(values), 1)
                parts.append(
                    f'<rect x="{label_w}" y="{y + 3 + bar_h * s:.1f}" width="{w:.1f}" height="{bar_h:.1f}" '
                    f'fill="{PALETTE[s % 8]}"/>'
                )
    plot_bottom = top + row_h * max(len(labels), 1)
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{plot_bottom}" stroke="#5C6F82"/>')
    for i in range(6):
        x = label_w + plot_w * i / 5
        parts.append(_text(x, plot_bottom + 14, f"{xmax * i / 5:g}".replace(".", ","), 10, "middle"))
    legend, last = _legend(datasets, plot_bottom + 36, width) if len(datasets) > 1 else ([], plot_bottom + 12)
    return _svg(width, last + 12, parts + legend, chart.get("title", ""))


def _svg(width: float, height: float, parts: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def render(chart: dict[str, Any] | None) -> Markup:
    """The SVG of a chart (from `tables.chart_data`), or nothing."""
    if not chart or not chart.get("labels"):
        return Markup("")
    kind = chart["type"]
    if kind == "hbar":
        return Markup(horizontal(chart, stacked=chart.get("stacked", False)))
    if kind == "doughnut":
        single = {**chart, "datasets": chart["datasets"][:1]}
        return Markup(horizontal(single))
    return Markup(vertical(chart, line=kind == "line"))
