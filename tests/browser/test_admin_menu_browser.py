"""Administrators reach the outbox and the incidents from the main navigation, with the keyboard only.

The administration pages sit in one "Amministrazione" dropdown of the header (so the bar does not grow with them):
Tab to its button, Enter opens it, the arrow keys move into it, Enter follows the link. The incidents page, with a
step that failed in a request, is screenshot and checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.test_keyboard_walk_browser import log_in_by_keyboard
from webapp.extensions import db
from webapp.notifications.models import RequestIncident

pytestmark = pytest.mark.browser


def _seed_incident(app) -> int:
    with app.app_context():
        incident = RequestIncident(
            occurred_at=datetime.now(UTC),
            user_label=f"Operatrice A <{f.OPERATOR_A}>",
            method="POST",
            path="/attivita/7",
            endpoint="tasks.task_page",
            instance_id=3,
            task_id=7,
            task_title="Risposta all'invio",
            error_type="builtins.RuntimeError",
            error_message="guasto simulato <b>non markup</b>",
            error_traceback='Traceback (most recent call last):\n  File "x.py", line 1\nRuntimeError: guasto',
        )
        db.session.add(incident)
        db.session.commit()
        return incident.id


def test_an_administrator_opens_incidents_and_outbox_from_the_menu_with_the_keyboard(
    live_server, new_context, recorder
):
    incident_id = _seed_incident(live_server.app)
    page = new_context().new_page()
    walk = log_in_by_keyboard(page, live_server, f.ADMIN)

    toggle = walk.to_button("Amministrazione")
    assert toggle["onScreen"]
    menu = page.locator("#tessere-admin-pages")
    expect(menu).to_be_hidden()
    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(page.locator("#tessere-admin-menu")).to_have_attribute("aria-expanded", "true")
    recorder.shot(page, "admin-menu-aperto")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#tessere-admin-pages a", has_text="Posta in uscita")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#tessere-admin-pages a", has_text="Incidenti")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/amministrazione/incidenti$"))
    expect(page.get_by_role("heading", level=2, name="Errori durante le azioni delle persone")).to_be_visible()
    expect(page.locator("#errori-azioni")).to_contain_text("guasto simulato <b>non markup</b>")  # escaped text
    recorder.check(page, "admin-incidenti")

    page.locator(f'a[href="/amministrazione/incidenti/richieste/{incident_id}"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Incidente n. {incident_id}")
    recorder.check(page, "admin-incidente-richiesta")
    page.get_by_role("button", name="Segna come risolto").click()
    expect(page.locator("#errori-azioni")).to_have_count(0)
    # The count is 0 as soon as the old page goes: wait for the new one to have run its scripts before using the
    # dropdown (on a loaded CI machine the click landed before Bootstrap had bound the menu, which stayed closed).
    page.wait_for_load_state("load")

    page.locator("#tessere-admin-menu").click()
    expect(menu).to_be_visible()
    page.locator("#tessere-admin-pages a", has_text="Posta in uscita").click()
    expect(page).to_have_url(re.compile(r"/amministrazione/posta$"))
    recorder.check(page, "admin-posta")


def test_other_roles_have_no_administration_menu(live_server, new_context):
    page = new_context().new_page()
    log_in_by_keyboard(page, live_server, f.MANAGER)
    expect(page.locator("#tessere-admin-menu")).to_have_count(0)
