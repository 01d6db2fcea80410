"""Dates, times and numbers as the reader's language writes them, always on Rome's clock.

The application stores moments in UTC (naive datetimes are UTC); people read them in Europe/Rome
(`BABEL_DEFAULT_TIMEZONE`), so a referral sent at 23:30 UTC on 14 March shows as 15 March. Italian keeps the
numeric day/month/year its readers expect; English spells the month, which no reader can take the wrong way round.
The same functions serve templates (filters `datetime`, `date`, `time`, `number`, `percent`) and Python code.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import flask_babel
from flask import Flask

EMPTY = "—"
DATE_PATTERNS = {"it": "dd/MM/yyyy", "en": "d MMM yyyy"}
DATETIME_PATTERNS = {"it": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}
TIME_PATTERN = "HH:mm"


def _language() -> str:
    locale = flask_babel.get_locale()
    return locale.language if locale is not None else "it"


def _parse(value: Any) -> Any:
    """ISO strings (how task data keeps dates, see engine) become date or datetime objects."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            return text  # not a date after all: shown as it is
    return value


def format_datetime(value: Any, with_time: bool = True) -> str:
    """A moment in Rome's time: `14/03/2026 10:30` / `14 Mar 2026, 10:30`; a date alone without time."""
    if value is None or value == "":
        return EMPTY
    value = _parse(value)
    if isinstance(value, str):
        return value
    language = _language()
    if isinstance(value, datetime) and with_time:
        return flask_babel.format_datetime(value, DATETIME_PATTERNS.get(language, "medium"))
    return flask_babel.format_date(value, DATE_PATTERNS.get(language, "medium"))  # a datetime: Rome's date


def format_date(value: Any) -> str:
    return format_datetime(value, with_time=False)


def format_time(value: Any) -> str:
    """The time of day on Rome's clock (a bare `time` is printed as it is)."""
    if value is None or value == "":
        return EMPTY
    try:
        value = time.fromisoformat(value.strip()) if isinstance(value, str) and len(value.strip()) == 5 else value
    except ValueError:  # "09:30" is a time; anything else of five characters is shown as it is
        return value
    value = _parse(value)
    if isinstance(value, str):
        return value
    return flask_babel.format_time(value, TIME_PATTERN, rebase=isinstance(value, datetime))


def format_number(value: Any, digits: int | None = None) -> str:
    """`1.234,5` / `1,234.5`; `digits` fixes the decimals shown."""
    if value is None or value == "":
        return EMPTY
    pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
    return flask_babel.format_decimal(value, pattern)


def format_percent(value: Any, digits: int = 0) -> str:
    """A fraction as a percentage: 0.25 -> `25%`, with `digits` decimals."""
    if value is None or value == "":
        return EMPTY
    return flask_babel.format_percent(value, "#,##0" + ("." + "0" * digits if digits else "") + "%")


def init_app(app: Flask) -> None:
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_time, "time")
    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_percent, "percent")
