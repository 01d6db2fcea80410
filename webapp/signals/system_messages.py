"""The lines Tessere itself writes into a signal's messages (taken in charge, no answer in time, closed), in the
reader's language.

A signal's messages keep the Italian text as written — the organization's and the social service's own words, and
these few lines of Tessere's. The operations write them from the msgids below, so the page recognises them and
shows them translated; anything else (what people typed, or a line from an older wording) is shown as written.
"""

from __future__ import annotations

from flask_babel import gettext as _

from forms.signals import CLOSING_REASONS
from forms.vocabulary import italian
from webapp.notifications.messages import N_

TAKEN_IN_CHARGE = N_("Presa in carico dal Servizio sociale.")
NO_ANSWER = N_("L'organizzazione non ha risposto entro %(days)s giorni.")
CLOSED = N_("Segnalazione chiusa. Motivo: %(reason)s.")
SYSTEM_KINDS = ("scaduta", "esito")  # "domanda" and "risposta" are always people's own words


def taken_in_charge() -> str:
    """The Italian line, as stored."""
    return TAKEN_IN_CHARGE


def no_answer(days: int) -> str:
    return NO_ANSWER % {"days": days}


def closed(reason: str) -> str:
    """`reason`: the closing reason's Italian label (or the code, for an unknown one)."""
    return CLOSED % {"reason": reason}


def shown(kind: str, text: str, no_answer_days: int) -> str:
    """The stored line in the reader's language when it is one of Tessere's; else as written."""
    if kind not in SYSTEM_KINDS:
        return text
    if text == TAKEN_IN_CHARGE:
        return _(TAKEN_IN_CHARGE)
    if text == no_answer(no_answer_days):
        return _(NO_ANSWER, days=no_answer_days)
    for _code, label in CLOSING_REASONS:
        if text == closed(italian(label)):
            return _(CLOSED, reason=str(label))
    return text
