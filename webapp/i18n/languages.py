"""Which language a request speaks, and the switch between languages shown in the header of every page.

Order of precedence: an explicit choice (`?lang=it|en` on any URL, remembered in the session), else the best match
of the browser's `Accept-Language` among the supported languages, else Italian. The switch is a plain link to the
same page with `?lang=`: no redirect, so nothing can be sent elsewhere (no open redirect), and it works without
JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, has_request_context, request, session
from flask_babel import get_locale, refresh

from webapp.i18n.template_gettext import bound_gettext_callables

SUPPORTED_LOCALES = ("it", "en")
DEFAULT_LOCALE = "it"
SESSION_KEY = "lang"
QUERY_PARAMETER = "lang"
# Each language is named in itself (an autonym, with its own `lang` attribute), never translated.
LANGUAGE_NAMES = {"it": "Italiano", "en": "English"}
LANGUAGE_ABBREVIATIONS = {"it": "ITA", "en": "ENG"}


def select_locale() -> str:
    """Flask-Babel's locale selector (outside a request, e.g. in the CLI: Italian)."""
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = session.get(SESSION_KEY)
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or DEFAULT_LOCALE


def remember_choice() -> None:
    """`?lang=en` on any page switches the interface and keeps the choice for the rest of the session."""
    chosen = request.args.get(QUERY_PARAMETER)
    if chosen in SUPPORTED_LOCALES and session.get(SESSION_KEY) != chosen:
        session[SESSION_KEY] = chosen
        refresh()  # a locale computed earlier in this request must not linger


def clear_session_keeping_language() -> None:
    """`session.clear()` at login and logout (no session fixation), without forgetting the language chosen."""
    chosen = session.get(SESSION_KEY)
    session.clear()
    if chosen in SUPPORTED_LOCALES:
        session[SESSION_KEY] = chosen


def switch_url(code: str) -> str:
    """This page in another language: same path and query, `lang` replaced (always a path on this site)."""
    arguments = request.args.to_dict(flat=False)
    arguments[QUERY_PARAMETER] = [code]
    path = request.script_root + "/" + request.path.lstrip("/")  # never "//host": a path, not another site
    return f"{path}?{urlencode(arguments, doseq=True)}"


def language_options() -> list[dict]:
    current = str(get_locale())
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "abbreviation": LANGUAGE_ABBREVIATIONS[code],
            "url": switch_url(code),
            "active": code == current,
        }
        for code in SUPPORTED_LOCALES
    ]


def init_app(app: Flask) -> None:
    # First of the before_request hooks (the factory calls this before the others register), so every hook that
    # renders or flashes a message already speaks the chosen language.
    app.before_request(remember_choice)

    @app.after_request
    def vary_on_language(response):
        response.vary.add("Accept-Language")
        return response

    @app.context_processor
    def inject_language():
        # `_()` and friends bound to this render's translations (see template_gettext: the speed of every page)
        if not has_request_context():
            return {"current_locale": DEFAULT_LOCALE, "language_options": [], **bound_gettext_callables()}
        return {
            "current_locale": str(get_locale()),
            "language_options": language_options(),
            **bound_gettext_callables(),
        }
