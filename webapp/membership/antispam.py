"""Keeping bots off the public scheda di ricognizione, without a CAPTCHA that would shut people out.

The scheda is the one form on Tessere that anyone can post without an account, and every new draft sends an
e-mail: a bot that filled it in a loop would fill the managers' queue and make Tessere send mail to addresses it
chose. Three cheap checks stop the usual scripts while a person never notices them:

- a *honeypot*: a field that people do not see (hidden from the screen, screen readers and the keyboard) but that
  a script which fills every input fills too;
- a *minimum fill time*: the page carries a signed timestamp of when it was served; a scheda posted back sooner
  than a person could read it (or with no valid timestamp) is a script's;
- a per-address rate limit on the posts that store or send something (Flask-Limiter, like the login page).

A refused post stores nothing and sends nothing, and gets a neutral message on the same page with what was typed
(a person who was just very quick loses nothing and can press the button again); it says nothing of which check
failed, so a script learns nothing from it.
"""

from __future__ import annotations

import time

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, TimestampSigner

HONEYPOT_FIELD = "sito_web_secondario"
STARTED_FIELD = "compilazione_avviata"
DEFAULT_MIN_FILL_SECONDS = 5
SUBMISSION_LIMIT = "10 per hour;30 per day"  # new drafts and submissions from one address

REFUSED_MESSAGE = _l(
    "Non è stato possibile registrare la scheda. Controlla i dati e premi di nuovo il pulsante tra qualche secondo."
)


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt="tessere.membership.scheda-started")


def min_fill_seconds() -> float:
    """`TESSERE_SCHEDA_MIN_SECONDS`; 0 (off) under TESTING unless a test sets it, like the rate limits."""
    configured = current_app.config.get("TESSERE_SCHEDA_MIN_SECONDS")
    if configured is None:
        return 0 if current_app.config.get("TESTING") else DEFAULT_MIN_FILL_SECONDS
    return float(configured)


def started_token(formdata=None) -> str:
    """The timestamp to put in the page: the one the visitor already carries (when valid), or now."""
    carried = (formdata or {}).get(STARTED_FIELD)
    if carried and _started_at(carried) is not None:
        return carried
    return _signer().sign(b"scheda").decode("ascii")


def _started_at(token: str) -> float | None:
    try:
        _value, at = _signer().unsign(token, return_timestamp=True)
    except BadSignature:
        return None
    return at.timestamp()


def looks_automated(formdata, check_time: bool = True) -> bool:
    """True when the post filled the honeypot or came back too fast (or without a valid timestamp)."""
    if (formdata.get(HONEYPOT_FIELD) or "").strip():
        return True
    if not check_time:
        return False
    minimum = min_fill_seconds()
    if minimum <= 0:
        return False
    started = _started_at(formdata.get(STARTED_FIELD) or "")
    return started is None or time.time() - started < minimum


def is_not_a_new_submission() -> bool:
    """Flask-Limiter's `exempt_when` for the public scheda: only saving and sending count, not adding a site."""
    return request.form.get("azione", "salva") not in ("salva", "invia")


def is_not_a_resubmission() -> bool:
    """For the applicant's link page: only sending the (amended) scheda counts; saving the draft is free."""
    return request.form.get("azione") != "invia"
