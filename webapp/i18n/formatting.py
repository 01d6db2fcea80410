"""Dates, times and numbers as the reader's language writes them, always on Rome's clock.

The application stores moments in UTC (naive datetimes are UTC); people read them in Europe/Rome
(`BABEL_DEFAULT_TIMEZONE`), so a referral sent at 23:30 UTC on 14 March shows as 15 March. Italian keeps the
numeric day/month/year its readers expect; English spells the month, which no reader can take the wrong way round.
The same functions serve templates (filters `datetime`, `date`, `time`, `number`, `percent`) and Python code.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

import flask_babel
from babel import dates
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


# The patterns of DATE_PATTERNS and DATETIME_PATTERNS written out: what Babel's pattern engine prints for them (day,
# abbreviated month name of the locale's "format" context, four-digit year, 24-hour time), without parsing and walking
# the pattern for each value. Any other pattern goes to Babel. tests/test_worklist_page_rows.py and
# tests/test_catalogue_cards.py compare them with the filters.
WRITTEN_OUT = {
    "dd/MM/yyyy HH:mm": lambda m, months: f"{m.day:02d}/{m.month:02d}/{m.year:04d} {m.hour:02d}:{m.minute:02d}",
    "d MMM yyyy, HH:mm": lambda m, months: f"{m.day} {months[m.month]} {m.year:04d}, {m.hour:02d}:{m.minute:02d}",
    "dd/MM/yyyy": lambda d, months: f"{d.day:02d}/{d.month:02d}/{d.year:04d}",
    "d MMM yyyy": lambda d, months: f"{d.day} {months[d.month]} {d.year:04d}",
}


def moment_formatter() -> Callable[[Any], str]:
    """`format_datetime` (the `datetime` filter) with the locale and time zone in force now bound once: for pages
    that print many moments (the worklist's rows). Flask-Babel looks the locale and the time zone up again at every
    call, which on a slow CPU was a visible share of a page."""
    return _bound_formatter(DATETIME_PATTERNS, format_datetime, with_time=True)


def day_formatter() -> Callable[[Any], str]:
    """`format_date` (the `date` filter) bound likewise: for pages that print many dates (the catalogue's cards)."""
    return _bound_formatter(DATE_PATTERNS, format_date, with_time=False)


def _bound_formatter(patterns: dict[str, str], filter_function: Callable[[Any], str], with_time: bool):
    locale = flask_babel.get_locale()
    pattern = patterns.get(locale.language) if locale is not None else None
    if pattern is None:  # a language without its own pattern: the filter itself decides
        return filter_function
    tzinfo = flask_babel.get_timezone()
    written_out = WRITTEN_OUT.get(pattern)
    months = locale.months["format"]["abbreviated"]

    def formatted(value: Any) -> str:
        if not isinstance(value, datetime):  # None, a date or an ISO string: the filter's own rules
            return filter_function(value)
        local = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(tzinfo)
        local = tzinfo.normalize(local) if hasattr(tzinfo, "normalize") else local
        if written_out is not None:
            return written_out(local, months)
        if with_time:
            return dates.format_datetime(local, pattern, tzinfo=tzinfo, locale=locale)
        return dates.format_date(local.date(), pattern, locale=locale)

    return formatted


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
