"""Languages of the interface: Italian (the source language, the default) and English.

Why a package of its own: the language a request speaks, the switch between languages and the locale-aware
formatting of dates and numbers are one concern that every page shares. `init_app(app)` binds Flask-Babel with
`languages.select_locale`, remembers an explicit choice (`?lang=en` on any page) and installs the formatting
filters (`formatting`). Translations live in `translations/en/parts/*.po` and are compiled by `scripts/i18n.py`.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale

from webapp.extensions import babel
from webapp.i18n import formatting, languages, process_text


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Rome")
    babel.init_app(app, locale_selector=languages.select_locale)
    # `{% trans %}` blocks collapse their whitespace, as `scripts/i18n.py` extracts them (babel.cfg: trimmed).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # `{% do list.append(x) %}` instead of `{% set _ = ... %}`, which would hide the gettext function `_`.
    app.jinja_env.add_extension("jinja2.ext.do")
    languages.init_app(app)
    formatting.init_app(app)
    process_text.init_app(app)


def in_italian(text) -> str:
    """A (lazy) translatable string as Italian, whatever the reader's language: for e-mails, files and logs that
    stay Italian (see README, *Lingue*)."""
    with force_locale("it"):
        return str(text)
