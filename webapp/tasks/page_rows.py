"""What each row of the `/attivita` page prints, worked out once per page rather than in the template's loop.

Why: the page of 25 rows translated each task title three times and each process name once (about a hundred
`process_text` calls) and formatted two moments per row through Flask-Babel, which looks the locale and the time
zone up again at every call. On a slow CPU that was a third of the page's time. Here a title or process name is
translated once per page whatever the rows repeating it, and moments go to the same Babel function with the same
pattern, locale and time zone as the `datetime` filter (`webapp.i18n.formatting`), asked for once: the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import flask_babel
from babel import dates
from flask import url_for

from webapp.i18n.formatting import DATETIME_PATTERNS, format_datetime
from webapp.i18n.process_text import process_text
from webapp.tasks.worklist import WorklistRow


@dataclass(frozen=True, slots=True)
class PageRow:
    """A worklist row as the page shows it: texts already in the reader's language and on Rome's clock."""

    task_id: int
    url: str
    title: str | None
    subject: str | None
    due: str | None  # None: no deadline
    overdue: bool
    due_soon: bool
    created: str
    process: str | None
    group_task: bool
    claimed_by_id: int | None
    claimed_by_name: str | None
    claimed_by_me: bool


# The two patterns of `formatting.DATETIME_PATTERNS`, written out: what Babel's pattern engine prints for them
# (day, abbreviated month name of the locale's "format" context, four-digit year, 24-hour time), without parsing and
# walking the pattern for each moment. Any other pattern goes to Babel. tests/test_worklist_page_rows.py compares
# both with the `datetime` filter.
WRITTEN_OUT = {
    "dd/MM/yyyy HH:mm": lambda m, months: f"{m.day:02d}/{m.month:02d}/{m.year:04d} {m.hour:02d}:{m.minute:02d}",
    "d MMM yyyy, HH:mm": lambda m, months: f"{m.day} {months[m.month]} {m.year:04d}, {m.hour:02d}:{m.minute:02d}",
}


def moment_formatter() -> Callable[[Any], str]:
    """`format_datetime` (the templates' `datetime` filter) with this request's locale and time zone bound."""
    locale = flask_babel.get_locale()
    pattern = DATETIME_PATTERNS.get(locale.language) if locale is not None else None
    if pattern is None:  # a language without its own pattern: the filter itself decides
        return format_datetime
    tzinfo = flask_babel.get_timezone()
    written_out = WRITTEN_OUT.get(pattern)
    months = locale.months["format"]["abbreviated"]

    def moment(value: Any) -> str:
        if not isinstance(value, datetime):  # None, a date or an ISO string: the filter's own rules
            return format_datetime(value)
        if written_out is None:
            return dates.format_datetime(value, pattern, tzinfo=tzinfo, locale=locale)
        local = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(tzinfo)
        return written_out(tzinfo.normalize(local) if hasattr(tzinfo, "normalize") else local, months)

    return moment


def process_translator() -> Callable[[str | None], str | None]:
    """`process_text`, asked once per distinct name on the page (titles and process names repeat from row to row)."""
    translated: dict[str | None, str | None] = {}

    def text(name: str | None) -> str | None:
        if name not in translated:
            translated[name] = process_text(name)
        return translated[name]

    return text


def page_rows(rows: list[WorklistRow], text: Callable[[str | None], str | None]) -> list[PageRow]:
    task_base = url_for("tasks.worklist")
    moment = moment_formatter()
    return [
        PageRow(
            task_id=row.task.id,
            url=f"{task_base}/{row.task.id}",
            title=text(row.task.title),
            subject=row.subject,
            due=moment(row.due) if row.due else None,
            overdue=row.overdue,
            due_soon=row.due_soon,
            created=moment(row.task.created_at),
            process=text(row.process_name),
            group_task=row.group_task,
            claimed_by_id=row.claimed_by_id,
            claimed_by_name=row.claimed_by_name,
            claimed_by_me=row.claimed_by_me,
        )
        for row in rows
    ]


def process_options(names: dict[str, str], text: Callable[[str | None], str | None]) -> list[tuple[str, str | None]]:
    """The "Processo" filter's options, in the order of the names as written (case-insensitive, as Jinja's
    `dictsort(by='value')` sorted them), each shown in the reader's language."""
    return [(key, text(name)) for key, name in sorted(names.items(), key=lambda item: item[1].lower())]
