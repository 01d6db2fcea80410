"""The referral journey in a real browser: a social worker and an organization's operator, each in their own context.

Every step asserts on the Italian text people read, saves a full-page screenshot in test-artifacts/screenshots/
and runs axe-core in the page (no critical or serious violations allowed).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.journey import INTAKE

pytestmark = pytest.mark.browser

PERSON = f"{INTAKE['first_name']} {INTAKE['last_name']}"
OUTCOME_NOTE = "Ha ritirato tre pacchi alimentari."


def log_in(page: Page, server, email: str, rec) -> None:
    page.goto(server("/accesso"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accedi a Tessere")
    rec.check(page, f"login-{email.split('@')[0]}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page).to_have_url(re.compile(r"/attivita$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Le mie attività")
    expect(page.locator(".tessere-flashes")).to_contain_text("Benvenuta/o")


def tick(page: Page, label) -> None:
    """Tick a checkbox or radio as people do: bootstrap-italia draws the box on the label, over the real input."""
    box = page.get_by_label(label)
    page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    expect(box).to_be_checked()


def fill_intake(page: Page, codice_fiscale: str) -> None:
    page.get_by_label(re.compile(r"^Nome")).fill(INTAKE["first_name"])
    page.get_by_label(re.compile(r"^Cognome")).fill(INTAKE["last_name"])
    page.get_by_label(re.compile(r"^Codice fiscale")).fill(codice_fiscale)
    page.get_by_label(re.compile(r"^Telefono")).fill(INTAKE["phone"])
    page.get_by_label(re.compile(r"^Gruppo di riferimento")).select_option(label="Povertà e marginalità sociale")
    tick(page, "Distribuzione generi alimentari")
    page.get_by_label(re.compile(r"^Note del servizio sociale")).fill(INTAKE["notes"])
    tick(page, re.compile(r"^La persona acconsente"))


def start_intake(page: Page, rec) -> None:
    page.get_by_role("link", name="Nuova presa in carico").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nuova presa in carico")
    rec.check(page, "nuova-presa-in-carico")


def main(page: Page):
    return page.locator("main")


def test_referral_journey_social_worker_and_organization(live_server, new_context, recorder):
    worker = new_context().new_page()
    operator = new_context().new_page()

    # 1. The social worker logs in and starts a presa in carico.
    log_in(worker, live_server, f.SOCIAL_WORKER, recorder)
    expect(main(worker)).to_contain_text("Nessuna attività da completare")
    recorder.check(worker, "as-attivita-vuota")
    start_intake(worker, recorder)
    expect(main(worker)).to_contain_text("I dati della persona restano al Servizio sociale")
    fill_intake(worker, INTAKE["codice_fiscale"])
    recorder.check(worker, "as-presa-in-carico-compilata")
    worker.get_by_role("button", name="Conferma").click()

    # 2. Straight on to choosing the offer: only offers of the person's target group.
    expect(worker.get_by_role("heading", level=1)).to_have_text("Scelta dell'offerta e invio")
    expect(worker.locator(".tessere-flashes")).to_contain_text("Presa in carico registrata.")
    aside = worker.locator("aside")
    expect(aside).to_contain_text(PERSON)
    expect(aside).to_contain_text(INTAKE["codice_fiscale"])
    offers = worker.get_by_label(re.compile(r"^Offerta della rete"))
    expect(offers.locator("option", has_text="Pacchi alimentari")).to_have_count(1)
    expect(offers.locator("option", has_text="Mensa solidale")).to_have_count(1)
    expect(offers.locator("option", has_text="Compagnia agli anziani")).to_have_count(0)
    offers.select_option(offers.locator("option", has_text="Pacchi alimentari").get_attribute("value"))
    worker.get_by_label(re.compile(r"^Messaggio per l'organizzazione")).fill("Contattare al mattino.")
    recorder.check(worker, "as-scelta-offerta")
    worker.get_by_role("button", name="Conferma").click()

    # The case page: now waiting for the organization's answer.
    expect(worker.get_by_role("heading", level=1)).to_contain_text(PERSON)
    expect(main(worker)).to_contain_text("In attesa di: Risposta all'invio")
    expect(main(worker)).to_contain_text("In attesa di risposta")
    recorder.check(worker, "as-caso-in-attesa")

    # 3. The organization's operator sees the referral with the minimum data, never the codice fiscale or notes.
    log_in(operator, live_server, f.OPERATOR_A, recorder)
    worklist = operator.locator("#worklist")
    expect(worklist).to_contain_text("Risposta all'invio")
    recorder.check(operator, "op-attivita")
    worklist.get_by_role("link", name="Risposta all'invio", exact=True).click()
    expect(operator.get_by_role("heading", level=1)).to_have_text("Risposta all'invio")
    expect(main(operator)).to_contain_text(INTAKE["first_name"])
    expect(main(operator)).to_contain_text("Contattare al mattino.")
    expect(main(operator)).to_contain_text("Pacchi alimentari")
    content = operator.content()
    assert INTAKE["codice_fiscale"] not in content and INTAKE["notes"] not in content
    expect(operator.locator("body")).not_to_contain_text("Codice fiscale")
    recorder.check(operator, "op-risposta-invio")
    tick(operator, "Accolgo la persona")
    operator.get_by_label(re.compile(r"^Note per il servizio sociale")).fill("Ci vediamo lunedì.")
    operator.get_by_role("button", name="Conferma").click()

    # 4. Accepted: the operator goes on with the outcome of the intervention.
    expect(operator.get_by_role("heading", level=1)).to_have_text("Esito dell'intervento")
    expect(operator.locator(".tessere-flashes")).to_contain_text("«Risposta all'invio» completata.")
    expect(main(operator)).to_contain_text("Accettato")
    operator.get_by_label(re.compile(r"^Esito")).select_option(label="Concluso con esito positivo")
    operator.get_by_label(re.compile(r"^Descrizione dell'esito")).fill(OUTCOME_NOTE)
    recorder.check(operator, "op-esito-intervento")
    operator.get_by_role("button", name="Conferma").click()
    expect(operator.get_by_role("heading", level=1)).to_have_text("Le mie attività")
    expect(operator.locator(".tessere-flashes")).to_contain_text("«Esito dell'intervento» completata.")
    expect(main(operator)).to_contain_text("Nessuna attività da completare")
    recorder.check(operator, "op-attivita-dopo-esito")

    # 5. The social worker finds the closing task, reviews outcome and timeline on the case page, closes the case.
    worker.get_by_role("link", name="Le mie attività").first.click()
    expect(worker.locator("#worklist")).to_contain_text("Chiusura del caso")
    expect(worker.locator("#worklist")).to_contain_text(PERSON)
    recorder.check(worker, "as-attivita-chiusura")
    worker.get_by_role("navigation", name="Navigazione principale").get_by_role("link", name="Casi").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("I miei casi")
    recorder.check(worker, "as-casi")
    worker.get_by_role("link", name=PERSON).click()
    expect(worker.get_by_role("heading", level=1)).to_contain_text(PERSON)
    case_main = main(worker)
    expect(case_main).to_contain_text("Esito: Concluso con esito positivo — " + OUTCOME_NOTE)
    expect(case_main).to_contain_text("Concluso")
    expect(case_main).to_contain_text("In attesa di: Chiusura del caso")
    timeline = worker.locator("section", has=worker.get_by_role("heading", name="Cronologia"))
    for step in ("Presa in carico", "Scelta dell'offerta e invio", "Risposta all'invio", "Esito dell'intervento"):
        expect(timeline).to_contain_text(step)
    recorder.check(worker, "as-caso-con-esito")
    case_main.get_by_role("link", name="completa ora").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Chiusura del caso")
    worker.get_by_label(re.compile(r"^Esito della chiusura")).select_option(label="Obiettivi raggiunti")
    worker.get_by_label(re.compile(r"^Note di chiusura")).fill("Percorso concluso.")
    recorder.check(worker, "as-chiusura-caso")
    worker.get_by_role("button", name="Conferma").click()

    expect(worker.get_by_role("heading", level=1)).to_contain_text(PERSON)
    expect(worker.locator(".tessere-flashes")).to_contain_text("«Chiusura del caso» completata.")
    expect(main(worker)).to_contain_text("Caso chiuso")
    expect(main(worker)).to_contain_text("Obiettivi raggiunti — Percorso concluso.")
    expect(timeline).to_contain_text("Processo concluso")
    recorder.check(worker, "as-caso-chiuso")


def test_intake_with_invalid_codice_fiscale_shows_the_error_next_to_the_field(live_server, new_context, recorder):
    page = new_context().new_page()
    log_in(page, live_server, f.SOCIAL_WORKER, recorder)
    start_intake(page, recorder)
    fill_intake(page, "RSSMRA80A01D612X")  # wrong check character
    page.get_by_role("button", name="Conferma").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nuova presa in carico")
    cf = page.get_by_label(re.compile(r"^Codice fiscale"))
    expect(cf).to_have_attribute("aria-invalid", "true")
    error = page.locator("#codice_fiscale-error")
    expect(error).to_have_text("Il codice fiscale non è valido: controlla lettere e cifre.")
    # next to the field: in the same form group, right after the input, and announced with it
    expect(page.locator(".form-group", has=cf).locator("#codice_fiscale-error")).to_be_visible()
    expect(cf).to_have_attribute("aria-describedby", re.compile(r"\bcodice_fiscale-error\b"))
    summary = page.get_by_role("alert").filter(has_text="Il modulo contiene un errore")
    expect(summary).to_contain_text("Codice fiscale: Il codice fiscale non è valido")
    # what was typed is kept
    expect(page.get_by_label(re.compile(r"^Nome"))).to_have_value(INTAKE["first_name"])
    expect(page.get_by_label(re.compile(r"^Cognome"))).to_have_value(INTAKE["last_name"])
    expect(cf).to_have_value("RSSMRA80A01D612X")
    expect(page.get_by_label(re.compile(r"^Telefono"))).to_have_value(INTAKE["phone"])
    expect(page.get_by_label(re.compile(r"^Gruppo di riferimento"))).to_have_value("poverta")
    expect(page.get_by_label("Distribuzione generi alimentari")).to_be_checked()
    expect(page.get_by_label(re.compile(r"^Note del servizio sociale"))).to_have_value(INTAKE["notes"])
    expect(page.get_by_label(re.compile(r"^La persona acconsente"))).to_be_checked()
    recorder.check(page, "as-codice-fiscale-errato")

    # the link of the summary takes the keyboard to the field
    summary.get_by_role("link", name="Codice fiscale").click()
    expect(cf).to_be_focused()
