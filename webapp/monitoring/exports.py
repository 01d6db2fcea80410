"""CSV and XLSX downloads of the monitoring tables (the same serialised, privacy-suppressed tables the page shows).

Spreadsheets execute what looks like a formula: a cell starting with = + - @ (or a tab or carriage return) coming
from user-typed text — an organization's or an offer's name — is written with a leading apostrophe, so it stays
text (OWASP "CSV injection"). Numbers stay numbers. CSV uses the semicolon and a UTF-8 BOM, as Italian Excel
expects; decimals are written with a comma there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _

from webapp.monitoring.tables import DAYS, HIDDEN_TEXT, PERCENT, SUPPRESSED_TEXT

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def legend() -> str:
    """What the markers of hidden values mean, in the reader's language (exports follow the page's language)."""
    return _(
        "%(suppressed)s: da 1 a 4 persone di una categoria particolare (violenza, salute mentale, disabilità), "
        "valore nascosto per riservatezza. %(hidden)s: valore nascosto perché permetterebbe di ricavarne un altro.",
        suppressed=SUPPRESSED_TEXT,
        hidden=HIDDEN_TEXT,
    )


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    """Text that a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _header(table: dict[str, Any]) -> list[str]:
    return [table.get("row_header") or _("Voce"), *[c["label"] for c in table["columns"]]]


def _rows(table: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield from table["rows"]
    if table.get("total"):
        yield table["total"]


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("sì") if value else _("no")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return safe_text(str(value))


def table_csv(table: dict[str, Any], context: Iterable[str] = ()) -> bytes:
    """One table as CSV: a few lines saying what it is about, the header, the rows, the legend."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_text(table["title"])])
    for line in context:
        writer.writerow([safe_text(line)])
    writer.writerow([safe_text(h) for h in _header(table)])
    kinds = [c["kind"] for c in table["columns"]]
    for row in _rows(table):
        writer.writerow(
            [safe_text(row["label"]), *[_csv_value(c["value"], k) for c, k in zip(row["cells"], kinds, strict=True)]]
        )
    if table.get("note"):
        writer.writerow([safe_text(table["note"])])
    writer.writerow([legend()])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31].strip() or _("Tabella")
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} {n}"
        n += 1
    used.add(name.lower())
    return name


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    return value


def workbook(tables: Iterable[dict[str, Any]], context: Iterable[str] = ()) -> bytes:
    """Tables as an XLSX workbook, one sheet each, with real numbers and number formats."""
    # openpyxl is imported here, not at module level: it adds ~50 ms to every start of the app (bench/cold_start.py)
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    context = list(context)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DCE9F7")
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table["title"], used))
        sheet.append([safe_text(table["title"])])
        sheet["A1"].font = Font(bold=True, size=13)
        for line in context:
            sheet.append([safe_text(line)])
        sheet.append([safe_text(h) for h in _header(table)])
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        kinds = [c["kind"] for c in table["columns"]]
        for row in _rows(table):
            sheet.append([safe_text(row["label"]), *[_xlsx_value(c["value"]) for c in row["cells"]]])
            for index, kind in enumerate(kinds, start=2):
                cell = sheet.cell(row=sheet.max_row, column=index)
                if isinstance(cell.value, float) and kind in (PERCENT, DAYS):
                    cell.number_format = "0.0"
                elif isinstance(cell.value, str) and cell.value in (SUPPRESSED_TEXT, HIDDEN_TEXT):
                    cell.alignment = Alignment(horizontal="right")
            if row is table.get("total"):
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
        if table.get("note"):
            sheet.append([])
            sheet.append([safe_text(table["note"])])
        sheet.append([legend()])
        sheet.column_dimensions["A"].width = 48
        for index in range(2, len(kinds) + 2):
            sheet.column_dimensions[get_column_letter(index)].width = 16
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    if not book.sheetnames:
        book.create_sheet(_("Vuoto"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
