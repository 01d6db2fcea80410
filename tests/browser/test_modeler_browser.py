"""The modeler in a real browser: a manager changes the referral diagram through the side panel (a task's form and a
timer), deploys version 2, sees on the diagram the errors of a broken edit; a case started before keeps version 1 and
its 5-day deadline while a new case runs on version 2 with the new 7-day deadline, both shown on their case page with
the diagram of their own version.

Every step saves a full-page screenshot in test-artifacts/screenshots/ and runs axe-core in the page.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.models import ProcessInstance, ProcessVersion
from tests import factories as f
from tests.browser.test_referral_journey_browser import fill_intake, log_in, main
from tests.journey import INTAKE
from webapp.extensions import db
from webapp.referrals.models import Case

pytestmark = pytest.mark.browser

KEY = "percorso_beneficiario"
SECOND_CF = "BNCGLI85M41D612C"
ROME = ZoneInfo("Europe/Rome")
MIWG = Path(__file__).resolve().parents[1] / "data" / "miwg"


def pick(page: Page, element_id: str) -> None:
    """Select a diagram element through the panel's list (the keyboard way; a click on the canvas does the same)."""
    picker = page.get_by_label("Elemento da modificare")
    label = next(text for text in picker.locator("option").all_inner_texts() if text.endswith(f"({element_id})"))
    picker.select_option(label=label)
    expect(page.locator("#modeler-panel-body")).to_contain_text(element_id)


def new_case(page: Page, server, codice_fiscale: str) -> str:
    """A presa in carico through the intake form, sent to the food parcels; returns the case page URL."""
    page.goto(server("/casi/nuovo"))
    fill_intake(page, codice_fiscale)
    page.get_by_role("button", name="Conferma").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scelta dell'offerta e invio")
    offers = page.get_by_label(re.compile(r"^Offerta della rete"))
    offers.select_option(offers.locator("option", has_text="Pacchi alimentari").get_attribute("value"))
    page.get_by_label(re.compile(r"^Messaggio per l'organizzazione")).fill("Contattare al mattino.")
    page.get_by_role("button", name="Conferma").click()
    expect(main(page)).to_contain_text("In attesa di: Risposta all'invio")
    return page.url


def deadline_in(days: int) -> str:
    return (datetime.now(ROME) + timedelta(days=days)).strftime("%d/%m/%Y")


def versions(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(ProcessVersion.version).where(ProcessVersion.process_key == KEY).order_by(ProcessVersion.version)
            )
        )


def test_manager_edits_the_referral_diagram_and_cases_run_on_their_own_version(live_server, new_context, recorder):
    manager = new_context().new_page()
    worker = new_context().new_page()
    errors: list[str] = []
    manager.on("pageerror", lambda error: errors.append(str(error)))

    # 1. A case started on version 1: waiting 5 days for the organization's answer.
    log_in(worker, live_server, f.SOCIAL_WORKER, recorder)
    old_case_url = new_case(worker, live_server, INTAKE["codice_fiscale"])
    expect(main(worker)).to_contain_text(f"entro il {deadline_in(5)}")

    # 2. The manager opens the referral diagram from the processes list.
    log_in(manager, live_server, f.MANAGER, recorder)
    manager.get_by_role("navigation", name="Navigazione principale").get_by_role("link", name="Processi").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Processi")
    recorder.check(manager, "resp-processi")
    manager.get_by_role("link", name="Percorso beneficiario").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Percorso beneficiario")
    recorder.check(manager, "resp-processo")
    manager.get_by_role("link", name="Modifica il diagramma").click()
    modeler = manager.locator("#tessere-modeler")
    expect(modeler).to_have_attribute("data-ready", "true")
    expect(manager.locator("#modeler-issues")).to_contain_text("nessun problema")
    recorder.check(manager, "resp-modellatore")

    # 3. Through the side panel: the closing task gets another form, the answer deadline goes from 5 to 7 days.
    pick(manager, "chiusura_caso")
    form = manager.get_by_label("Modulo", exact=True)
    expect(form).to_have_value("chiusura_caso")
    form.select_option(label="Decisione dopo un rifiuto o una scadenza")
    expect(form).to_have_value("dopo_rifiuto")
    recorder.check(manager, "resp-modulo-cambiato")

    pick(manager, "scadenza_risposta")
    amount = manager.get_by_label("Dopo", exact=True)
    expect(amount).to_have_value("5")
    expect(manager.get_by_label("Unità")).to_have_value("2")  # giorni
    amount.fill("7")
    amount.press("Tab")
    expect(manager.locator("#modeler-panel-body")).to_contain_text("Valore nel diagramma: P7D")
    manager.get_by_label("Nome", exact=True).fill("Dopo 7 giorni")
    manager.get_by_label("Nome", exact=True).press("Tab")
    expect(modeler).to_have_attribute("data-dirty", "true")
    recorder.check(manager, "resp-timer-cambiato")

    # 4. Publish: version 2.
    manager.get_by_role("button", name="Pubblica nuova versione").click()
    status = manager.locator("#modeler-status")
    expect(status).to_contain_text("Versione 2 pubblicata")
    expect(status).to_contain_text("1 processi in corso sono su versioni precedenti")
    assert versions(live_server.app) == [1, 2]
    with live_server.app.app_context():
        xml = db.session.scalar(select(ProcessVersion.bpmn_xml).where(ProcessVersion.version == 2))
    assert "P7D" in xml and 'name="formKey" value="dopo_rifiuto"' in xml
    recorder.check(manager, "resp-versione-2-pubblicata")

    # 5. A broken edit: the live check and the validation show the problem on the diagram; nothing is published.
    pick(manager, "f_gw_esito")
    condition = manager.get_by_label("Condizione", exact=True)
    condition.fill("__import__('os').system('id')")
    expect(manager.locator(".tessere-expression-check")).to_contain_text("Espressione non valida")
    condition.press("Tab")
    manager.get_by_role("button", name="Pubblica nuova versione").click()
    expect(status).to_contain_text("Il diagramma non è stato pubblicato")
    issues = manager.locator("#modeler-issues")
    expect(issues).to_contain_text("problemi da correggere")
    expect(issues.locator('li[data-element-id="f_gw_esito"]').first).to_contain_text("«Sì», condizione")
    expect(issues.locator('li[data-element-id="f_gw_esito"]')).to_contain_text(["system", "__import__"])
    expect(manager.locator('.djs-element.tessere-issue[data-element-id="f_gw_esito"]')).to_have_count(1)
    recorder.check(manager, "resp-errore-di-verifica")
    assert versions(live_server.app) == [1, 2]
    assert not errors, errors

    # Undo puts the diagram back as published: no problem left.
    manager.get_by_role("button", name="Annulla", exact=True).click()
    manager.get_by_role("button", name="Verifica", exact=True).click()
    expect(issues).to_contain_text("nessun problema")
    expect(manager.locator(".djs-element.tessere-issue")).to_have_count(0)

    # 6. The versions list says who deployed each version; the comparison shows what changed.
    manager.goto(live_server(f"/processi/{KEY}"))
    expect(main(manager)).to_contain_text("tessere init")
    expect(main(manager)).to_contain_text(f.MANAGER)
    manager.get_by_role("link", name="Confronta le ultime due versioni").click()
    expect(manager.locator("#diff-new")).to_have_attribute("data-ready", "true")
    changes = manager.locator("#diff-changes")
    expect(changes.locator('tr[data-element-id="chiusura_caso"]')).to_contain_text("«chiusura_caso» → «dopo_rifiuto»")
    expect(changes.locator('tr[data-element-id="scadenza_risposta"]')).to_contain_text("P5D")
    changed_on_diagram = manager.locator('#diff-new .djs-element.tessere-diff-changed[data-element-id="chiusura_caso"]')
    expect(changed_on_diagram).to_have_count(1)
    recorder.check(manager, "resp-confronto-versioni")

    # 7. A new case runs on version 2 (7 days to answer); the old one continues on version 1 (5 days).
    new_case_url = new_case(worker, live_server, SECOND_CF)
    expect(main(worker)).to_contain_text(f"entro il {deadline_in(7)}")
    expect(main(worker)).to_contain_text("versione 2 del diagramma")
    diagram = worker.locator("[data-diagram-viewer]")
    expect(diagram).to_have_attribute("data-ready", "true")
    expect(worker.locator('.djs-element.tessere-state-active[data-element-id="risposta_invio"]')).to_have_count(1)
    expect(worker.locator('.djs-element.tessere-state-completed[data-element-id="presa_in_carico"]')).to_have_count(1)
    expect(worker.locator('.djs-element.tessere-state-waiting[data-element-id="scadenza_risposta"]')).to_have_count(1)
    expect(main(worker)).to_contain_text("In attesa (scadenza o evento): Dopo 3 giorni; Dopo 7 giorni.")
    recorder.check(worker, "as-caso-versione-2")

    worker.goto(old_case_url)
    expect(main(worker)).to_contain_text("versione 1 del diagramma")
    expect(main(worker)).to_contain_text(f"entro il {deadline_in(5)}")
    expect(worker.locator("[data-diagram-viewer]")).to_have_attribute("data-ready", "true")
    expect(main(worker)).to_contain_text("Dopo 5 giorni")
    recorder.check(worker, "as-caso-versione-1")

    with live_server.app.app_context():
        by_url = {}
        for case in db.session.scalars(select(Case)):
            by_url[f"/casi/{case.id}"] = db.session.get(ProcessInstance, case.instance_id).version.version
    assert by_url[re.search(r"/casi/\d+", old_case_url).group(0)] == 1
    assert by_url[re.search(r"/casi/\d+", new_case_url).group(0)] == 2
    assert not errors, errors


def test_the_modeler_and_the_viewers_work_under_the_content_security_policy(live_server, browser):
    """No `bypass_csp` here: the pages run with the real policy (no inline scripts), as in production."""
    if browser is None:
        pytest.fail("Debian's chromium is missing (see tests/browser/conftest.py).", pytrace=False)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server("/accesso"))  # no axe here: injecting it is an inline script, which the CSP refuses
        page.get_by_label("E-mail").fill(f.MANAGER)
        page.get_by_label("Password").fill(f.PASSWORD)
        page.get_by_role("button", name="Accedi").click()
        expect(page).to_have_url(re.compile(r"/attivita$"))
        page.goto(live_server(f"/processi/{KEY}/modifica"))
        expect(page.locator("#tessere-modeler")).to_have_attribute("data-ready", "true")
        expect(page.locator("#modeler-issues")).to_contain_text("nessun problema")
        page.goto(live_server(f"/processi/{KEY}/versioni/1"))
        expect(page.locator("#version-diagram")).to_have_attribute("data-ready", "true")
        with page.expect_download() as download:
            page.get_by_role("button", name="Scarica SVG").click()
        assert download.value.suggested_filename == f"{KEY}-v1.svg"
        assert "<svg" in download.value.path().read_text(encoding="utf-8")
        assert not errors, errors
    finally:
        context.close()


def test_a_manager_opens_a_diagram_from_another_tool_then_creates_a_new_process(live_server, new_context, recorder):
    page = new_context().new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page with unsaved changes?"
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, f.MANAGER, recorder)
    page.goto(live_server("/processi"))
    page.get_by_role("link", name="Nuovo processo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nuovo processo")
    modeler = page.locator("#tessere-modeler")
    expect(modeler).to_have_attribute("data-ready", "true")
    issues = page.locator("#modeler-issues")
    expect(issues.locator('li[data-element-id="prima_attivita"]')).to_contain_text("manca il modulo")

    # A reference model drawn with another tool opens, with what to change marked on it.
    page.locator("#modeler-file").set_input_files(str(MIWG / "A.1.0.bpmn"))
    expect(page.locator("#modeler-status")).to_contain_text("File «A.1.0.bpmn» aperto")
    expect(issues).to_contain_text("non è segnato come eseguibile")
    expect(issues).to_contain_text("attività senza tipo")
    expect(page.locator(".djs-element.tessere-issue")).to_have_count(3)  # the three untyped tasks
    recorder.check(page, "resp-file-da-altro-strumento")

    # A new process from the template: its key and name, a form for its task; published as version 1.
    page.goto(live_server("/processi/nuovo"))
    expect(modeler).to_have_attribute("data-ready", "true")
    pick(page, "Participant_nuovo_processo")
    key = page.get_by_label("Chiave del processo")
    key.fill("richiesta_contributo")
    key.press("Tab")
    name = page.get_by_label("Nome del processo")
    name.fill("Richiesta di contributo")
    name.press("Tab")
    pick(page, "prima_attivita")
    page.get_by_label("Modulo", exact=True).select_option(label="Decisione dopo un rifiuto o una scadenza")
    page.get_by_role("button", name="Verifica", exact=True).click()
    expect(issues).to_contain_text("nessun problema")
    recorder.check(page, "resp-nuovo-processo")
    page.get_by_role("button", name="Pubblica nuova versione").click()
    expect(page.locator("#modeler-status")).to_contain_text("Versione 1 pubblicata")
    page.goto(live_server("/processi"))
    expect(main(page)).to_contain_text("Richiesta di contributo")
    expect(main(page)).to_contain_text("richiesta_contributo")
    with live_server.app.app_context():
        version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == "richiesta_contributo"))
        assert version is not None and version.name == "Richiesta di contributo" and version.deployed_by == f.MANAGER
    assert not errors, errors
