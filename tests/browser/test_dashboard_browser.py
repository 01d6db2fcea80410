"""The monitoring dashboard in a real browser: Chart.js draws every chart from the server's figures, each beside
its table; filters work; an organization's operator sees its own figures only. Screenshots and axe-core checks.

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


def log_in(page: Page, server, email: str) -> None:
    page.goto(server("/accesso"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page).to_have_url(re.compile(r"/attivita$"))


def charts_drawn(page: Page) -> int:
    page.wait_for_function("() => document.documentElement.hasAttribute('data-charts-ready')")
    return page.locator("canvas[data-chart-ready='1']").count()


def test_dashboard_draws_charts_beside_tables_and_filters(live_server, new_context, recorder):
    with live_server.app.app_context():
        assert load_history(db.session, get_engine()) > 300

    manager = new_context().new_page()
    log_in(manager, live_server, f.MANAGER)
    manager.get_by_role("link", name="Monitoraggio").first.click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Monitoraggio")
    canvases = manager.locator("canvas[data-chart-source]").count()
    assert canvases >= 8
    assert charts_drawn(manager) == canvases
    # every chart sits beside its table, which carries the same figures for screen readers
    expect(manager.locator("#tabella-andamento caption")).to_have_text("Invii per periodo")
    assert manager.locator("#tabella-andamento tbody tr").count() == 18  # eighteen months by default
    expect(manager.locator("#indicatore-inviati")).not_to_have_text("0")
    assert manager.evaluate("() => Chart.getChart('grafico-andamento').data.datasets.length") == 4
    recorder.check(manager, "cruscotto-responsabile")

    # Filter: one special-category group, by quarter.
    manager.get_by_label("Gruppo di destinatari", exact=True).select_option("violenza_genere")
    manager.get_by_label("Raggruppa per", exact=True).select_option("trimestre")
    manager.get_by_role("button", name="Applica i filtri").click()
    expect(manager).to_have_url(re.compile(r"gruppo=violenza_genere"))
    expect(manager.locator("#ambito")).to_contain_text("Vittime di violenza di genere")
    charts_drawn(manager)
    assert 6 <= manager.locator("#tabella-andamento tbody tr").count() <= 7
    # small counts of victims of violence are never shown: "<5" (or "n.d." for their complements)
    table_text = manager.locator("#tabella-andamento").inner_text()
    assert re.search(r"<5|n\.d\.", table_text)
    for cell in manager.locator("#tabella-andamento tbody td").all_inner_texts():
        assert cell.strip() in ("<5", "n.d.", "0") or int(cell.replace(".", "")) >= 5 or cell.strip() == ""
    recorder.check(manager, "cruscotto-violenza-trimestri")

    with manager.expect_download() as download:
        manager.locator("#titolo-gruppi").locator("xpath=..").get_by_role("link", name=re.compile("XLSX")).click()
    assert download.value.suggested_filename.startswith("tessere-gruppi-")

    # An organization's operator: its own figures, no organization filter, no network section.
    operator = new_context().new_page()
    log_in(operator, live_server, f.OPERATOR_A)
    operator.goto(live_server("/monitoraggio"))
    expect(operator.get_by_role("heading", level=1)).to_contain_text("Emporio Solidale di prova")
    expect(operator.get_by_label("Organizzazione", exact=True)).to_have_count(0)
    expect(operator.locator("#sezione-rete")).to_have_count(0)
    assert charts_drawn(operator) >= 6
    assert "Cooperativa di prova" not in operator.locator("main").inner_text()
    recorder.check(operator, "cruscotto-organizzazione")
