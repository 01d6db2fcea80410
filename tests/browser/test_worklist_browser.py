"""The worklist in a real browser with the keyboard only: search, filter, sort, page on, claim a group task.

Tab and Shift+Tab to move, typing, arrow keys in selects, Enter on links and buttons (no click, fill or focus). The
filters are a GET form, so each result is a bookmarkable address that keeps every filter. Each step saves a
full-page screenshot in test-artifacts/screenshots/ and runs axe-core (no critical or serious violations).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.test_keyboard_walk_browser import log_in_by_keyboard
from tests.test_worklist import _org, _user, add_case, add_task
from webapp.extensions import db

pytestmark = pytest.mark.browser


def seed_worklist(app) -> None:
    """A social worker with 30 tasks (some overdue, one restricted case) and a group task of organization A."""
    with app.app_context():
        worker = _user(f.SOCIAL_WORKER)
        org_a = _org(f.ORG_A_CF)
        rossi = add_case(worker, "Mario", "Rossi", org=org_a)
        add_task(rossi.instance_id, "Valuta la risposta", assignee=worker, due=-timedelta(days=2))
        add_task(rossi.instance_id, "Rispondi all'invio", role="association", org=org_a, due=timedelta(days=2))
        verdi = add_case(worker, "Anna", "Verdi", group="violenza_genere", restricted=True)
        add_task(verdi.instance_id, "Chiudi il caso riservato", assignee=worker, due=timedelta(days=1))
        for n in range(28):
            case = add_case(worker, f"Persona{n:02d}", "Bianchi", group="anziani")
            due = timedelta(days=n - 5) if n % 3 else None
            add_task(case.instance_id, f"Scegli l'offerta {n:02d}", assignee=worker, due=due)
        db.session.commit()


def active_text(page) -> str:
    return page.evaluate("() => (document.activeElement.innerText || '').trim().replace(/\\s+/g, ' ')")


def test_a_social_worker_searches_filters_and_sorts_the_worklist_with_the_keyboard(live_server, new_context, recorder):
    seed_worklist(live_server.app)
    page = new_context().new_page()
    walk = log_in_by_keyboard(page, live_server, f.SOCIAL_WORKER)
    expect(page.locator("#worklist-summary")).to_contain_text("30 attività trovate")
    expect(page.locator("tr.task-overdue").first).to_contain_text("Scaduta")
    recorder.check(page, "elenco")

    # Search by name and keep only the overdue ones.
    walk.type_into("cerca", "Rossi")
    walk.choose_in_select("stato", "Scadute")
    walk.to_button("Applica i filtri")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"cerca=Rossi.*stato=scadute|stato=scadute.*cerca=Rossi"))
    rows = page.locator("#worklist tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Valuta la risposta")
    expect(rows.first).to_contain_text("Mario Rossi")
    recorder.check(page, "filtrato")

    # Sort by creation date from the column header, with the filters kept.
    walk.tab_to(lambda e: e["tag"] == "a" and e["text"].startswith("Creata il"), "sortable header «Creata il»")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"ordina=creazione"))
    expect(page).to_have_url(re.compile(r"stato=scadute"))
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Creata il")
    walk.tab_to(lambda e: e["tag"] == "a" and e["text"].startswith("Creata il"), "sortable header «Creata il»")
    page.keyboard.press("Enter")
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Creata il")
    recorder.check(page, "ordinato")

    # A search that finds nothing says so, and how to go back.
    page.goto(live_server("/attivita?cerca=Nessuno"))
    expect(page.locator("#worklist-no-match")).to_contain_text("Nessuna attività corrisponde ai filtri")
    expect(page.locator("#worklist-no-match")).to_contain_text("Hai 30 attività aperte in tutto")
    recorder.check(page, "nessun-risultato")
    walk.to_link("Azzera i filtri e mostra tutte le attività")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/attivita$"))

    # Pages keep the filters: the due-date window, then page 2.
    page.goto(live_server("/attivita?gruppo=anziani"))
    expect(page.locator("#worklist-summary")).to_contain_text("28 attività trovate")
    walk.tab_to(lambda e: e["tag"] == "a" and e["text"] == "Pagina 2", "link to page 2")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"gruppo=anziani.*pagina=2|pagina=2.*gruppo=anziani"))
    expect(page.locator("#worklist-summary")).to_contain_text("pagina 2 di 2")
    recorder.check(page, "pagina-2")
    assert not walk.invisible_focus, f"focus not visible on: {walk.invisible_focus}"


def test_an_operator_claims_a_group_task_with_the_keyboard(live_server, new_context, recorder):
    seed_worklist(live_server.app)
    page = new_context().new_page()
    walk = log_in_by_keyboard(page, live_server, f.OPERATOR_A)
    row = page.locator("#worklist tbody tr").filter(has_text="Rispondi all'invio")
    expect(row).to_contain_text("Di gruppo, libera")
    expect(row).to_contain_text("Mario · invio n.")
    recorder.check(page, "operatore-elenco")
    walk.tab_to(lambda e: e["tag"] == "button" and e["text"].startswith("Prendi in carico"), "claim button")
    page.keyboard.press("Enter")
    expect(page.locator(".tessere-flashes")).to_contain_text("Hai preso in carico")
    expect(page.locator("#worklist tbody tr").filter(has_text="Rispondi all'invio")).to_contain_text(
        "Presa in carico da te"
    )
    recorder.check(page, "operatore-presa")
    # On the task's page: who has it, and the button to give it back.
    walk.tab_to(lambda e: e["tag"] == "a" and e["text"].startswith("Apri «Rispondi"), "link to the task")
    page.keyboard.press("Enter")
    expect(page.locator("#task-claim")).to_contain_text("Presa in carico da te")
    expect(page.locator("#task-claim").get_by_role("button", name="Rilascia al gruppo")).to_be_visible()
    recorder.check(page, "operatore-attivita-presa")
    page.go_back()
    walk.tab_to(lambda e: e["tag"] == "button" and e["text"].startswith("Rilascia"), "release button")
    page.keyboard.press("Enter")
    expect(page.locator("#worklist tbody tr").filter(has_text="Rispondi all'invio")).to_contain_text(
        "Di gruppo, libera"
    )
    assert not walk.invisible_focus, f"focus not visible on: {walk.invisible_focus}"
