"""What each row of the `/attivita` page prints, worked out once per page rather than in the template's loop.

Why: the page of 25 rows translated each task title three times and each process name once (about a hundred
`process_text` calls) and formatted two moments per row through Flask-Babel, which looks the locale and the time
zone up again at every call. On a slow CPU that was a third of the page's time. Here a title or process name is
translated once per page whatever the rows repeating it, and moments are written by `formatting.moment_formatter`, the
`datetime` filter with the locale and the time zone asked for once: the same text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for

from webapp.i18n.formatting import moment_formatter
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
