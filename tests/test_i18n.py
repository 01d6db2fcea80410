"""Italian and English: every string translated, no text left outside `_()`, the language chosen as people expect,
dates on Rome's clock in both languages.

The checks are those of `scripts/i18n.py check` (one implementation); the rendering tests go through the HTTP client.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import render_template_string

from scripts import i18n as i18n_script
from tests import factories as f
from tests import journey
from webapp.extensions import db
from webapp.referrals.models import Case, Referral


def _report(problems: list, limit: int = 60) -> str:
    shown = "\n".join(str(problem) for problem in problems[:limit])
    more = f"\n... e altri {len(problems) - limit}" if len(problems) > limit else ""
    return f"{len(problems)} problemi (scripts/i18n.py check li elenca tutti):\n{shown}{more}"


# ------------------------------------------------------------------ the catalogue is complete and consistent
def test_every_message_of_webapp_and_forms_has_an_english_translation():
    problems = i18n_script.missing(i18n_script.extract(i18n_script.DEFAULT_PATHS), i18n_script.read_parts())
    assert not problems, _report(problems)


def test_templates_have_no_visible_text_outside_gettext():
    problems = [p for t in i18n_script.template_files() for p in i18n_script.unwrapped_text(t)]
    assert not problems, _report(problems)


def test_no_msgid_is_translated_differently_in_two_parts_and_placeholders_match():
    translations = i18n_script.read_parts()
    problems = i18n_script.conflicts(translations)
    problems += i18n_script.format_problems(i18n_script.merged_catalog(translations), translations)
    assert not problems, _report(problems)


# ------------------------------------------------------------------ the checker itself finds what it must
def _part(directory: Path, name: str, body: str) -> None:
    header = 'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
    (directory / name).write_text(header + body, encoding="utf-8")


def test_checker_reports_conflicts_but_tolerates_identical_duplicates(tmp_path):
    _part(tmp_path, "a.po", 'msgid "Casi"\nmsgstr "Cases"\n\nmsgid "Esci"\nmsgstr "Sign out"\n')
    _part(tmp_path, "b.po", 'msgid "Casi"\nmsgstr "Files"\n\nmsgid "Esci"\nmsgstr "Sign out"\n')
    problems = i18n_script.conflicts(i18n_script.read_parts(tmp_path))
    assert [("Casi" in str(p), "Esci" in str(p)) for p in problems] == [(True, False)]


def test_checker_reports_missing_fuzzy_and_mismatched_placeholders(tmp_path):
    _part(
        tmp_path,
        "a.po",
        '#, fuzzy\nmsgid "Bozza"\nmsgstr "Draft"\n\nmsgid "Caso n. %(n)s"\nmsgstr "Case no. %(number)s"\n',
    )
    translations = i18n_script.read_parts(tmp_path)
    missing = i18n_script.missing({(None, "Bozza"): ["x.html:1"], (None, "Vuoto"): ["x.html:2"]}, translations)
    assert [p.location for p in missing] == ["x.html:1", "x.html:2"]  # a fuzzy entry is not a translation
    placeholders = i18n_script.format_problems(i18n_script.merged_catalog(translations), translations)
    assert len(placeholders) == 1 and "Caso n." in str(placeholders[0])


def test_checker_finds_unwrapped_text_attributes_and_labels_in_templates(tmp_path):
    template = tmp_path / "page.html"
    template.write_text(
        "{% extends 'base.html' %}\n"
        "<h1>Casi aperti</h1>\n"
        '<a href="{{ url }}" aria-label="Apri il caso">{{ _("Apri") }}</a>\n'
        "{{ badge('Caso chiuso', 'success') }}\n"
        '<img src="x.png" alt="{{ _(\'Logo\') }}"><input type="submit" value="Invia">\n'
        "<p>{% trans n=3 %}Hai {{ n }} casi{% endtrans %} © 2026 – {{ case.name }}</p>\n"
        "<details{% if open %} open{% endif %}><summary>{{ _('Dettagli') }}</summary></details>\n"
        '<script type="application/json" id="i18n-x">{"a": "Testo nei dati"}</script>\n'
        "{{ 'Via Roma 1' }}{# i18n: data #}\n",
        encoding="utf-8",
    )
    found = [(p.location.rsplit(":", 1)[1], p.message) for p in i18n_script.unwrapped_text(template)]
    assert [line for line, _message in found] == ["2", "3", "4", "5"], found
    assert "Apri il caso" in found[1][1] and "Caso chiuso" in found[2][1] and "Invia" in found[3][1]


# ------------------------------------------------------------------ the language a request speaks
def _html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


PERSONA_PAGES = [
    # persona, page, Italian chrome, English chrome
    (None, "/catalogo", "Aderisci alla rete", "Join the network"),
    (f.SOCIAL_WORKER, "/casi", "Nuova presa in carico", "New intake"),
    (f.OPERATOR_A, "/casi", "Invii ricevuti", "Referrals received"),
    (f.MANAGER, "/registro-accessi", "Registro accessi", "Access log"),
    (f.ADMIN, "/catalogo/organizzazioni", "Le mie attività", "My tasks"),
]


@pytest.mark.parametrize(("email", "page", "italian", "english"), PERSONA_PAGES)
def test_each_role_sees_italian_by_default_and_english_on_request(app, login, email, page, italian, english):
    client = login(email) if email else app.test_client()

    default = client.get(page)
    assert default.status_code == 200 and _html_lang(default) == "it"
    assert italian in default.get_data(as_text=True) and english not in default.get_data(as_text=True)

    chosen = client.get(f"{page}?lang=en")
    assert _html_lang(chosen) == "en"
    assert english in chosen.get_data(as_text=True) and "Catalogue of offers" in chosen.get_data(as_text=True)

    remembered = client.get(page)  # the choice holds for the session, without ?lang=
    assert _html_lang(remembered) == "en" and english in remembered.get_data(as_text=True)


def test_browser_language_decides_when_nobody_chose(app):
    client = app.test_client()
    assert _html_lang(client.get("/catalogo", headers={"Accept-Language": "it-IT,it;q=0.9"})) == "it"
    english = client.get("/catalogo", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert _html_lang(english) == "en" and "Catalogue of offers" in english.get_data(as_text=True)
    assert _html_lang(client.get("/catalogo", headers={"Accept-Language": "de-DE,fr;q=0.8"})) == "it"
    assert "Accept-Language" in english.headers.get("Vary", "")


def test_explicit_choice_beats_the_browser_and_unknown_languages_are_ignored(app):
    client = app.test_client()
    english_browser = {"Accept-Language": "en"}
    assert _html_lang(client.get("/catalogo?lang=it", headers=english_browser)) == "it"
    assert _html_lang(client.get("/catalogo", headers=english_browser)) == "it"
    assert _html_lang(app.test_client().get("/catalogo?lang=xx", headers=english_browser)) == "en"


def test_language_switch_links_to_the_same_page_and_never_off_site(app):
    client = app.test_client()
    page = client.get("/catalogo?q=orto&gruppo=minori").get_data(as_text=True)
    switch = re.search(r'<ul class="link-list" id="tessere-languages">(.*?)</ul>', page, re.S).group(1)
    assert 'hreflang="en"' in switch and 'lang="en"' in switch and ">English<" in switch
    assert "/catalogo?q=orto&amp;gruppo=minori&amp;lang=en" in switch
    assert 'aria-current="true"' in switch.split("English")[0]  # Italiano, the active one, comes first

    odd = client.get("//example.org/x").get_data(as_text=True)  # a 404 page whose path starts with //
    hrefs = re.findall(r'href="([^"]*lang=en[^"]*)"', odd)
    assert hrefs and all(href.startswith("/") and not href.startswith("//") for href in hrefs)


# ------------------------------------------------------------------ dates and numbers
def _render(app, source: str, language: str, **values) -> str:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        return render_template_string(source, **values)


def test_dates_print_on_romes_clock_in_both_languages(app):
    near_midnight = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)  # 00:30 of the 15th in Rome (CET)
    summer = datetime(2026, 7, 31, 22, 15)  # naive: UTC, as stored; 00:15 of 1 August in Rome (CEST)
    source = "{{ a|datetime }}|{{ a|datetime(false) }}|{{ a|date }}|{{ a|time }}|{{ b|datetime }}|{{ c|date }}|"
    source += "{{ d|date }}"
    values = {"a": near_midnight, "b": summer, "c": date(2026, 3, 14), "d": "2026-03-14T23:30:00+00:00"}
    assert _render(app, source, "it", **values) == (
        "15/03/2026 00:30|15/03/2026|15/03/2026|00:30|01/08/2026 00:15|14/03/2026|15/03/2026"
    )
    assert _render(app, source, "en", **values) == (
        "15 Mar 2026, 00:30|15 Mar 2026|15 Mar 2026|00:30|1 Aug 2026, 00:15|14 Mar 2026|15 Mar 2026"
    )
    assert _render(app, "{{ none|datetime }}", "it", none=None) == "—"


def test_numbers_and_percentages_follow_the_language(app):
    source = "{{ n|number }}|{{ n|number(2) }}|{{ share|percent }}|{{ share|percent(1) }}"
    assert _render(app, source, "it", n=1234.5, share=0.2567) == "1.234,5|1.234,50|26%|25,7%"
    assert _render(app, source, "en", n=1234.5, share=0.2567) == "1,234.5|1,234.50|26%|25.7%"


def test_language_chosen_before_logging_in_survives_login_and_logout(app):
    client = app.test_client()
    assert _html_lang(client.get("/accesso?lang=en")) == "en"
    response = client.post("/accesso", data={"email": f.SOCIAL_WORKER, "password": f.PASSWORD})
    assert response.status_code == 302
    assert _html_lang(client.get("/casi")) == "en"  # the new session (no fixation) kept the choice
    client.post("/esci")
    assert _html_lang(client.get("/accesso")) == "en"


def test_case_and_referral_pages_speak_english_with_rome_dates(app, login):
    worker = login(f.SOCIAL_WORKER)
    instance_id = journey.start_case(app, worker)
    journey.send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    with app.app_context():
        case = db.session.scalar(db.select(Case).where(Case.instance_id == instance_id))
        referral = db.session.scalar(db.select(Referral).where(Referral.case_id == case.id))
        case_id, referral_id, sent_at = case.id, referral.id, referral.sent_at

    case_page = worker.get(f"/casi/{case_id}?lang=en").get_data(as_text=True)
    assert f"Case no. {case_id}" in case_page and "Person and needs" in case_page
    assert "In attesa di risposta" not in case_page  # the referral's state label, translated too
    assert "Persona e bisogni" not in case_page

    organization = login(f.OPERATOR_A)
    referral_page = organization.get(f"/invii/{referral_id}?lang=en").get_data(as_text=True)
    assert f"Referral no. {referral_id}" in referral_page and "Sent by" in referral_page
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template_string("{{ d|datetime }}", d=sent_at) in referral_page  # Rome's time, English form
