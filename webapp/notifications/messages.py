"""In-app notification texts that each reader sees in their own language.

A notification is written once, when its event happens, for everyone who will read it — the operators of an
organization may not share a language, and the language of a timer's or the worker's step is nobody's. So besides
its Italian `text` (the record, and all that older notifications have) a notification can store its `message`: the
Italian msgid and the values to put in it, dates as ISO strings. The inbox translates the message when it shows it,
and formats the dates in the reader's language.

    _notify(..., message(N_("Il patto (versione %(number)s) scade il %(date)s."), number=3, date=day))
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import force_locale, gettext

from webapp.i18n.formatting import format_date


def N_(text: str) -> str:
    """Mark `text` as a message to translate (extracted like `_()`), translated only when it is shown."""
    return text


def message(msgid: str, **params: Any) -> dict[str, Any]:
    """What a notification stores to be translated later: plain JSON (dates as {"date": ISO}; a monitoring period,
    named in each language, as {"period": [first day, last day]} — see `period`)."""
    return {
        "msgid": msgid,
        "params": {
            key: {"date": value.isoformat()} if isinstance(value, date) else value for key, value in params.items()
        },
    }


def period(first: date, last: date) -> dict[str, list[str]]:
    """A monitoring period as a message parameter ("1° semestre 2026" / "H1 2026" when shown)."""
    return {"period": [first.isoformat(), last.isoformat()]}


def label(text: Any) -> dict[str, str]:
    """A label of the interface (a signal's closing reason) as a message parameter: stored as its Italian msgid,
    shown in the reader's language."""
    with force_locale("it"):
        return {"label": str(text)}


def notification_text(notice: dict[str, Any]) -> dict[str, Any]:
    """The two columns of a `Notification` for this message: its Italian `text` (the record) and the `message`."""
    return {"text": italian(notice), "message": notice}


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and "label" in value:
        label_msgid = value["label"]  # an Italian label of the interface, already in the catalogue
        return gettext(label_msgid)
    if isinstance(value, dict) and "date" in value:
        return format_date(value["date"])
    if isinstance(value, dict) and "period" in value:
        from flask_babel import get_locale

        from webapp.monitoring.figures import period_label  # the monitoring package uses this module

        locale = get_locale()
        first, last = (date.fromisoformat(day) for day in value["period"])
        return period_label(first, last, str(locale) if locale is not None else "it")
    return value


def render(stored: dict[str, Any]) -> str:
    """The message in the current language."""
    params = {key: _shown(value) for key, value in (stored.get("params") or {}).items()}
    msgid = stored["msgid"]  # marked with N_() where the notification was written
    return gettext(msgid, **params)


def italian(stored: dict[str, Any]) -> str:
    """The message in Italian: the notification's `text`, whatever the language of whoever caused it."""
    with force_locale("it"):
        return render(stored)


def text_of(notification: Any) -> str:
    """What the reader sees: the message in their language when there is one, else the text as written."""
    stored = getattr(notification, "message", None)
    if stored and stored.get("msgid"):
        return render(stored)
    return notification.text
