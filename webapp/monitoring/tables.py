"""The shape every monitoring figure takes: a table of cells, with the chart drawn from it.

A dashboard chart, its accessible table, its CSV and XLSX export and its place in a period's archived report are
all one `FigureTable`: the chart is never computed separately from the table beside it, so they cannot disagree.
Cells remember how many people they count and whether any of them is in a special category, which is what the
privacy rule (`privacy.suppress`) needs; once suppressed a table is serialised (`to_dict`) for the archive and
the exports, and nothing of a suppressed value leaves the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale

SUPPRESSED_TEXT = "<5"  # a count of 1..4 special-category people (primary suppression)
HIDDEN_TEXT = "n.d."  # hidden because it would give a "<5" back (complementary), or derived from a hidden cell
NOT_AVAILABLE = "—"
PRIMARY = "primary"
SECONDARY = "secondary"

COUNT = "count"  # people or referrals counted: subject to suppression
NUMBER = "number"  # a quantity that is not people (places, organizations, needs)
PERCENT = "percent"  # a share, 0..100, derived from other cells of the row
DAYS = "days"  # a duration in days, derived from the people of the row
TEXT = "text"


def format_number(value: float | int, decimals: int = 0) -> str:
    """The notation of the reader's language: 1.234 and 12,5 in Italian (also with no request), 1,234 and 12.5 in
    English. An archived report is built in Italian (see `report.build_snapshot`)."""
    return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=_locale())


def _locale() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else "it"


@dataclass
class Cell:
    value: float | int | str | None
    people: int | None = None  # how many distinct people the value concerns (None: not about people)
    special: bool = False  # at least one of them belongs to a special-category target group
    hidden: str | None = None  # PRIMARY or SECONDARY once `privacy.suppress` has hidden it

    def __post_init__(self) -> None:
        if self.value is not None and not isinstance(self.value, (int, float, str)):
            self.value = str(self.value)  # a vocabulary label (lazy string): tables go to JSON, CSV and XLSX

    @property
    def suppressed(self) -> bool:
        return self.hidden is not None

    def marker(self, kind: str) -> str:
        return SUPPRESSED_TEXT if self.hidden == PRIMARY and kind == COUNT else HIDDEN_TEXT

    def display(self, kind: str) -> str:
        if self.suppressed:
            return self.marker(kind)
        if self.value is None:
            return NOT_AVAILABLE
        if kind == TEXT:
            return str(self.value)
        if kind == PERCENT:
            return format_number(self.value, 1) + "%"
        if kind == DAYS:
            return format_number(self.value, 1)
        return format_number(self.value)

    def exported(self, kind: str) -> float | int | str | None:
        """The value as exports write it: numbers stay numbers, hidden cells become their marker ("<5", "n.d.")."""
        if self.suppressed:
            return self.marker(kind)
        return self.value


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT
    # The column is one of the parts that add up to the row's `total` column (used by complementary suppression).
    part: bool = False
    total: bool = False
    # Derived columns (shares, medians) are hidden when any of these columns of the row is suppressed.
    depends_on: tuple[str, ...] = ()


@dataclass
class Row:
    key: str
    label: str
    cells: dict[str, Cell] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.label = str(self.label)  # vocabulary labels are lazy strings; a table is data (JSON, CSV, XLSX)


@dataclass
class Chart:
    """How the table is drawn: `series` are column keys, one dataset each."""

    type: str  # bar | hbar | line | doughnut
    series: tuple[str, ...]
    stacked: bool = False


@dataclass
class FigureTable:
    id: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None  # the "Totale" row: its count cells are the sums of the rows above
    chart: Chart | None = None
    note: str = ""
    row_header: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def all_rows(self) -> list[Row]:
        return [*self.rows, *([self.total] if self.total is not None else [])]

    def to_dict(self) -> dict[str, Any]:
        """The table as shown to people: displayed text and exportable values only (never a suppressed number)."""

        def row_dict(row: Row) -> dict:
            return {
                "key": row.key,
                "label": row.label,
                "cells": [
                    {
                        "text": row.cells[c.key].display(c.kind) if c.key in row.cells else NOT_AVAILABLE,
                        "value": row.cells[c.key].exported(c.kind) if c.key in row.cells else None,
                        "suppressed": bool(row.cells.get(c.key) and row.cells[c.key].suppressed),
                    }
                    for c in self.columns
                ],
            }

        # Titles and labels may be lazy strings (module constants): resolved here, in the reader's language.
        return {
            "id": self.id,
            "title": str(self.title),
            "note": str(self.note),
            "row_header": str(self.row_header),
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns],
            "rows": [row_dict(r) for r in self.rows],
            "total": row_dict(self.total) if self.total is not None else None,
            "chart": (
                {"type": self.chart.type, "series": list(self.chart.series), "stacked": self.chart.stacked}
                if self.chart
                else None
            ),
        }


def chart_data(table: dict[str, Any]) -> dict[str, Any] | None:
    """What dashboard.js needs to draw a (serialised) table: labels and one dataset per series; gaps where hidden."""
    chart = table.get("chart")
    if not chart:
        return None
    index = {c["key"]: i for i, c in enumerate(table["columns"])}
    datasets = []
    for key in chart["series"]:
        column = table["columns"][index[key]]
        values = []
        for row in table["rows"]:
            cell = row["cells"][index[key]]
            value = cell["value"]
            values.append(None if cell["suppressed"] or not isinstance(value, (int, float)) else value)
        datasets.append({"label": column["label"], "data": values})
    return {
        "type": chart["type"],
        "stacked": chart["stacked"],
        "labels": [row["label"] for row in table["rows"]],
        "datasets": datasets,
        "title": table["title"],
    }
