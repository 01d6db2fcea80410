"""The worklist page works its rows' texts out once per page (webapp/tasks/page_rows.py) and binds the templates'
`_()` to the page's translations (webapp/i18n/template_gettext.py): what people read must be exactly what the
filters and Flask-Babel's own template callables print."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template_string
from markupsafe import Markup

from webapp.i18n.formatting import format_datetime, moment_formatter
from webapp.tasks.page_rows import process_options, process_translator


def _moments() -> list[datetime]:
    """Aware and naive (UTC) moments around midnight, both daylight-saving changes and the turn of a year."""
    starts = [
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC),  # Rome leaves winter time on 29 March 2026
        datetime(2026, 10, 24, 22, 30, tzinfo=UTC),  # and goes back on 25 October 2026
        datetime(2026, 12, 31, 22, 45, tzinfo=UTC),  # already 2027 in Rome
        datetime(2031, 7, 1, 0, 5, tzinfo=UTC),
    ]
    aware = [start + timedelta(minutes=37 * n) for start in starts for n in range(12)]
    return aware + [moment.replace(tzinfo=None) for moment in aware]


@pytest.mark.parametrize("language", ["it", "en"])
def test_row_moments_read_as_the_datetime_filter_prints_them(app, language):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        moment = moment_formatter()
        for value in _moments():
            assert moment(value) == format_datetime(value), value
        for value in (None, "", "2026-11-25", "non una data"):
            assert moment(value) == format_datetime(value)


@pytest.mark.parametrize("language", ["it", "en"])
def test_process_options_keep_the_templates_order_and_translate_each_name(app, language):
    names = {"b": "richiesta del cittadino", "a": "Percorso beneficiario", "c": "Segnalazione"}
    with app.test_request_context("/", headers={"Accept-Language": language}):
        text = process_translator()
        expected = render_template_string(
            "{% for key, name in names|dictsort(by='value') %}{{ key }}={{ name|process_text }};{% endfor %}",
            names=names,
        )
        shown = "".join(f"{key}={name};" for key, name in process_options(names, text))
        assert shown == expected


@pytest.mark.parametrize("language", ["it", "en"])
def test_template_gettext_bound_per_render_prints_what_flask_babel_prints(app, language):
    source = (
        "{{ _('Esci') }}|{{ _('Presa in carico da %(name)s', name='<b>') }}|{{ gettext('100%%') }}|"
        "{{ ngettext('%(num)d attività trovata', '%(num)d attività trovate', 3) }}|"
        "{{ pgettext('diagramma', 'Annulla') }}|"
        "{% trans n=2 %}{{ n }} pagina{% pluralize %}{{ n }} pagine{% endtrans %}"
    )
    with app.test_request_context("/", headers={"Accept-Language": language}):
        context: dict = {}
        app.update_template_context(context)
        assert context["gettext"] is not app.jinja_env.globals["gettext"]  # a page renders with the bound ones
        bound = render_template_string(source)
        babel_own = app.jinja_env.from_string(source).render()  # the environment's globals: Flask-Babel's callables
    assert bound == babel_own
    assert "&lt;b&gt;" in bound  # variables are still escaped
    assert isinstance(Markup(bound), Markup)
