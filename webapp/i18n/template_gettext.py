"""`_()`, `gettext`, `ngettext`, `pgettext` and `npgettext` in templates, bound to the page's translations once.

Why: Flask-Babel installs template callables that look the translations up again at every call (the domain, the
locale and its name, the cache: eight lookups of `g` through Werkzeug's proxies). A page calls them a hundred times,
so on a slow CPU that lookup alone cost milliseconds per page. The context processor of `languages` gives each
render these callables instead: the same catalogue (`flask_babel.get_translations()`, asked once when the render
starts, after the request chose its language) and the same newstyle semantics as Jinja's own (`jinja2.ext`): the
result is `Markup` when the template autoescapes, and is always %-formatted with the keyword arguments (`num` for
the plural forms, `context` for the contextual ones). A template's `_` resolves `gettext` from its context, so
`_()` takes these too; macros imported without context keep Flask-Babel's (correct, only slower).
"""

from __future__ import annotations

from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup


def _finish(context, text: str, variables: dict) -> str:
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables  # always a format string, as in jinja2.ext (escapes the variables under autoescape)


def bound_gettext_callables() -> dict:
    """The four template callables, bound to the translations of the language in force now."""
    translations = get_translations()

    @pass_context
    def gettext(context, string: str, **variables) -> str:
        return _finish(context, translations.ugettext(string), variables)

    @pass_context
    def ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        return _finish(context, translations.ungettext(singular, plural, num), variables)

    @pass_context
    def pgettext(context, string_context: str, string: str, **variables) -> str:
        variables.setdefault("context", string_context)
        return _finish(context, translations.upgettext(string_context, string), variables)

    @pass_context
    def npgettext(context, string_context: str, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("context", string_context)
        variables.setdefault("num", num)
        return _finish(context, translations.unpgettext(string_context, singular, plural, num), variables)

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}
