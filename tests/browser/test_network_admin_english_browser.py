"""The manager's and the administrator's pages in English, in a real browser: the monitoring dashboard (charts drawn
by Chart.js with English labels beside English tables), the modeler (its side panel and messages, written by
modeler.js, in English; bpmn-js's own menus left in English), the network pact and the outbox; and the same pages
in Italian. Every page is screenshotted and checked with axe-core.

The live server is seeded with the demo's twenty months of history (webapp.demo.history) over the test network.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from webapp.demo.history import load_history
from webapp.extensions import db
from webapp.workflow import get_engine

pytestmark = pytest.mark.browser


def log_in(page: Page, server, email: str, lang: str) -> None:
    page.goto(server(f"/accesso?lang={lang}"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in" if lang == "en" else "Accedi").click()
    expect(page).to_have_url(re.compile(r"/attivita$"))


def charts_drawn(page: Page) -> None:
    page.wait_for_function("() => document.documentElement.hasAttribute('data-charts-ready')")


def test_monitoring_and_modeler_speak_english_and_italian(live_server, new_context, recorder):
    with live_server.app.app_context():
        assert load_history(db.session, get_engine()) > 300

    page = new_context().new_page()
    log_in(page, live_server, f.MANAGER, "en")

    page.goto(live_server("/monitoraggio"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring")
    expect(page.locator("#tabella-andamento caption")).to_have_text("Referrals by period")
    expect(page.locator("#tabella-andamento thead")).to_contain_text("Accepted")
    charts_drawn(page)
    # the chart's legend comes from the same (English) table, the months from Babel
    assert page.evaluate("() => Chart.getChart('grafico-andamento').data.datasets[0].label") == "Sent"
    assert re.match(r"^[A-Z][a-z]{2} \d{4}$", page.evaluate("() => Chart.getChart('grafico-andamento').data.labels[0]"))
    recorder.check(page, "en-monitoring")

    page.goto(live_server("/processi/percorso_beneficiario/modifica"))
    expect(page.locator("#tessere-modeler")).to_have_attribute("data-ready", "true")
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    expect(page.locator("#modeler-panel-body")).to_contain_text("Select an element of the diagram")
    expect(page.locator("#modeler-issues")).to_contain_text("Check: no problems")
    recorder.check(page, "en-modeler")

    page.goto(live_server("/patto"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Network pact")
    recorder.check(page, "en-pact")

    page.goto(live_server("/monitoraggio?lang=it"))
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.locator("#tabella-andamento caption")).to_have_text("Invii per periodo")
    charts_drawn(page)
    assert page.evaluate("() => Chart.getChart('grafico-andamento').data.datasets[0].label") == "Inviati"
    recorder.check(page, "it-monitoring")

    page.goto(live_server("/processi/percorso_beneficiario/modifica"))
    expect(page.locator("#tessere-modeler")).to_have_attribute("data-ready", "true")
    expect(page.locator("#modeler-panel-body")).to_contain_text("Selezionare un elemento del diagramma")
    expect(page.locator("#modeler-issues")).to_contain_text("Verifica: nessun problema")
    recorder.check(page, "it-modeler")


def test_the_outbox_and_the_profile_speak_english(live_server, new_context, recorder):
    page = new_context().new_page()
    log_in(page, live_server, f.ADMIN, "en")
    page.goto(live_server("/amministrazione/posta"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Outgoing mail")
    expect(page.get_by_role("navigation", name="Filter by status")).to_contain_text("All")
    recorder.check(page, "en-outbox")
    page.goto(live_server("/profilo"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    recorder.check(page, "en-profile")
