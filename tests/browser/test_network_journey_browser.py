"""Joining the network in a real browser, as each person would: Fase 1 from the public call to approval, then Fase 2
(the new operator signs the patto di rete and publishes an offer), then a citizen finds that offer on a phone.

Each person has their own browser context (own cookies). Links that people receive by e-mail are read from the
outbox, as the applicant would read them in their mailbox. Every page is screenshotted in test-artifacts/ and
checked with axe-core (no critical or serious violations).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from forms.pact import add_years
from tests import factories as f
from webapp.extensions import db
from webapp.notifications.models import OutboxMessage
from webapp.pact import services as pact_services

pytestmark = pytest.mark.browser

CF = "94200550484"  # Il Girasole APS: a valid codice fiscale not in the test network
WRONG_CF = "94200550485"  # the same with a wrong check digit
CONTACT = "referente@girasole-aps.it"
OFFER_TITLE = "Laboratorio di orto condiviso Girasole"
PASSWORD = "un girasole nel cortile 2026"
PHONE_WIDTH = 390


# ------------------------------------------------------------------ helpers
def main(page: Page):
    return page.locator("main")


def tick_value(page: Page, name: str, value: str) -> None:
    """Tick a checkbox or radio as people do: bootstrap-italia draws the box on the label, over the real input."""
    box = page.locator(f'input[name="{name}"][value="{value}"]')
    page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    expect(box).to_be_checked()


def tick_field(page: Page, field_id: str) -> None:
    page.locator(f'label[for="{field_id}"]').click()
    expect(page.locator(f"#{field_id}")).to_be_checked()


def mail_link(server, kind: str, prefix: str) -> str:
    """The path of the link in the last e-mail of this kind, as the person would click it in their mailbox."""
    with server.app.app_context():
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc()).limit(1)
        )
        assert message is not None, f"no e-mail {kind} in the outbox"
        assert message.to_address == CONTACT
        body = message.body_text
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"\S+)", body)
    assert match, body
    return match.group(1)


def log_in(page: Page, server, email: str, password: str, rec, name: str) -> None:
    page.goto(server("/accesso"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accedi a Tessere")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()
    expect(page).to_have_url(re.compile(r"/attivita$"))
    rec.check(page, f"{name}-attivita")


def fill_scheda(page: Page, codice_fiscale: str) -> None:
    page.locator("#name").fill("Il Girasole APS")
    page.locator("#org_type").select_option("aps")
    page.locator("#codice_fiscale").fill(codice_fiscale)
    page.locator("#founded_on").fill("2012-04-21")
    page.locator("#founding_deed").fill("Atto costitutivo registrato a Prato il 21/04/2012")
    page.locator("#legal_address").fill("Via dei Confini 7")
    page.locator("#legal_postcode").fill("50013")
    page.locator("#legal_municipality").fill("Campi Bisenzio")
    page.locator("#legal_province").fill("FI")
    page.locator("#sites-0-name").fill("Orto di San Martino")
    page.locator("#sites-0-address").fill("Via San Martino 30")
    page.locator("#sites-0-municipality").fill("Campi Bisenzio")
    page.locator("#sites-0-opening_hours").fill("mercoledì 15-18")
    page.locator("#phone").fill("055 8990011")
    page.locator("#email").fill("info@girasole-aps.it")
    page.locator("#description").fill("Orti sociali e laboratori all'aperto per famiglie e persone anziane.")
    tick_value(page, "sectors", "ambiente")
    tick_value(page, "target_groups", "anziani")
    tick_value(page, "needs", "socializzazione_anziani")
    page.locator("#area_scope").select_option("comunale")
    page.locator("#representative_name").fill("Marta Giusti")
    page.locator("#representative_role").fill("Presidente")
    page.locator("#runts_section").select_option("aps")
    page.locator("#runts_number").fill("4410")
    page.locator("#runts_date").fill("2022-09-15")
    page.locator("#contact_name").fill("Paolo Benelli")
    page.locator("#contact_email").fill(CONTACT)
    for field_id in ("declaration_truthful", "declaration_privacy", "declaration_publication"):
        tick_field(page, field_id)


def publish_pact(server) -> None:
    """The Ufficio di piano has a patto di rete in force (published by the service: its own journey is tested)."""
    with server.app.app_context():
        start = pact_services.local_day(datetime.now(UTC))
        pact_services.publish_pact(
            db.session,
            title="Patto di rete Tessere",
            text="Art. 1 – Oggetto\nLe organizzazioni della rete collaborano con i Servizi sociali.",
            valid_from=start,
            valid_until=add_years(start, 3) - timedelta(days=1),
            change_note=None,
            published_by_id=None,
            instance_id=None,
            now=datetime.now(UTC),
        )
        db.session.commit()


def review(page: Page, server, outcome: str, note: str, rec, name: str) -> None:
    page.goto(server("/adesioni"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Domande di adesione")
    rec.check(page, f"{name}-coda")
    main(page).get_by_role("link", name=re.compile("Il Girasole APS")).first.click()
    expect(main(page)).to_contain_text(CF)
    tick_value(page, "esito_esame", outcome)
    if note:
        page.locator("#motivazione_esame").fill(note)
    rec.check(page, f"{name}-esame")
    page.get_by_role("button", name="Registra l'esito").click()
    expect(page.locator(".tessere-flashes")).to_contain_text("Esame registrato")


# ------------------------------------------------------------------ the journey
def test_an_organization_joins_signs_publishes_and_a_citizen_finds_its_offer_on_a_phone(
    live_server, new_context, recorder
):
    publish_pact(live_server)
    applicant = new_context().new_page()

    # 1. The public call, then the scheda: an invalid codice fiscale is refused next to the field, nothing is lost.
    applicant.goto(live_server("/aderisci"))
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Aderisci alla rete Tessere")
    recorder.check(applicant, "richiedente-avviso")
    applicant.get_by_role("link", name="Compila la scheda di ricognizione").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Scheda di ricognizione dell'offerta")
    fill_scheda(applicant, WRONG_CF)
    recorder.check(applicant, "richiedente-scheda-compilata")
    applicant.get_by_role("button", name="Invia la domanda", exact=True).click()
    expect(applicant.locator("#form-errors")).to_be_visible()
    cf_field = applicant.locator("#codice_fiscale").locator("xpath=ancestor::div[contains(@class,'tessere-field')][1]")
    expect(cf_field).to_contain_text("Il codice fiscale non è valido")
    expect(applicant.locator("#codice_fiscale")).to_have_attribute("aria-invalid", "true")
    expect(applicant.locator("#name")).to_have_value("Il Girasole APS")  # nothing typed is lost
    expect(applicant.locator("#sites-0-opening_hours")).to_have_value("mercoledì 15-18")
    expect(applicant.locator('input[name="needs"][value="socializzazione_anziani"]')).to_be_checked()
    recorder.check(applicant, "richiedente-errore-codice-fiscale")

    # 2. Corrected, saved as a draft: the link to come back arrives by e-mail.
    applicant.locator("#codice_fiscale").fill(CF)
    applicant.get_by_role("button", name="Salva la bozza").last.click()
    expect(applicant.locator(".tessere-flashes")).to_contain_text("Bozza salvata")
    recorder.check(applicant, "richiedente-bozza-salvata")
    draft_link = mail_link(live_server, "adesione_bozza", "/aderisci/domanda/")
    applicant.context.close()

    # 3. Days later, in another browser, through the e-mailed link: everything is there; submit, receipt.
    applicant = new_context().new_page()
    applicant.goto(live_server(draft_link))
    expect(applicant.locator("#codice_fiscale")).to_have_value(CF)
    expect(applicant.locator("#description")).to_have_value(re.compile("Orti sociali"))
    recorder.check(applicant, "richiedente-bozza-ripresa")
    applicant.get_by_role("button", name="Invia la domanda", exact=True).click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Ricevuta della domanda di adesione")
    protocol = applicant.locator("#protocollo").inner_text()
    assert re.fullmatch(r"TESS-\d{4}-\d{6}", protocol), protocol
    recorder.check(applicant, "richiedente-ricevuta")

    # 4. The manager reviews it and asks for changes once.
    manager = new_context().new_page()
    log_in(manager, live_server, f.MANAGER, f.PASSWORD, recorder, "responsabile")
    review(manager, live_server, "modifiche", "Indicate anche l'orario del sabato mattina.", recorder, "responsabile-1")
    expect(main(manager)).to_contain_text("Modifiche richieste")

    # 5. The applicant amends through the new e-mail and sends the scheda again.
    applicant.goto(live_server(mail_link(live_server, "adesione_modifiche_richieste", "/aderisci/domanda/")))
    expect(main(applicant)).to_contain_text("L'Ufficio di piano chiede delle modifiche")
    expect(main(applicant)).to_contain_text("Indicate anche l'orario del sabato mattina.")
    recorder.check(applicant, "richiedente-modifiche-richieste")
    applicant.locator("#sites-0-opening_hours").fill("mercoledì 15-18, sabato 9-12")
    applicant.get_by_role("button", name="Invia la domanda modificata").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Ricevuta della domanda di adesione")
    expect(applicant.locator("#protocollo")).to_have_text(protocol)  # same application, same protocol
    recorder.check(applicant, "richiedente-ricevuta-modifiche")

    # 6. The manager approves: the organization enters the network, its referent is invited.
    review(manager, live_server, "approva", "", recorder, "responsabile-2")
    expect(main(manager)).to_contain_text("Approvata")
    recorder.check(manager, "responsabile-approvata")

    # 7. The new operator follows the invitation, chooses a password, and is in.
    operator = new_context().new_page()
    operator.goto(live_server(mail_link(live_server, "adesione_invito_operatore", "/aderisci/invito/")))
    expect(operator.get_by_role("heading", level=1)).to_have_text("Crea il tuo accesso a Tessere")
    recorder.check(operator, "operatore-invito")
    operator.locator("#password").fill(PASSWORD)
    operator.locator("#password_again").fill(PASSWORD)
    operator.get_by_role("button", name="Crea l'accesso").click()
    expect(operator.locator(".tessere-flashes")).to_contain_text("Benvenuta/o in Tessere")
    operator.get_by_role("button", name=re.compile("Esci")).first.click()
    log_in(operator, live_server, CONTACT, PASSWORD, recorder, "operatore")

    # 8. It signs the patto di rete.
    operator.goto(live_server("/patto"))
    expect(main(operator)).to_contain_text("Patto di rete Tessere")
    recorder.check(operator, "operatore-patto")
    operator.locator('input[name$="signer_role"]').first.fill("Presidente")
    tick_field(operator, operator.locator('input[name$="confirm"]').first.get_attribute("id"))
    operator.get_by_role("button", name="Firma il patto").click()
    expect(main(operator)).to_contain_text("in qualità di Presidente")
    recorder.check(operator, "operatore-patto-firmato")

    # 9. It publishes an offer with its capacity.
    operator.goto(live_server("/le-nostre-offerte/nuova"))
    recorder.check(operator, "operatore-nuova-offerta")
    operator.locator("#title").fill(OFFER_TITLE)
    operator.locator("#description").fill("Coltiviamo insieme l'orto: compagnia, aria aperta e verdura di stagione.")
    tick_value(operator, "target_groups", "anziani")
    tick_value(operator, "needs", "socializzazione_anziani")
    operator.locator("#location").fill("Orto di San Martino, Via San Martino 30")
    tick_value(operator, "areas", "tutto_il_comune")
    operator.locator("#schedule").fill("mercoledì 15-18")
    operator.locator("#cost").fill("Gratuito")
    operator.locator("#how_to_access").fill("Su invio dei Servizi sociali o chiamando il referente.")
    tick_value(operator, "capacity_unit", "posti")
    operator.locator("#capacity_total").fill("12")
    operator.locator("#capacity_available").fill("8")
    recorder.check(operator, "operatore-offerta-compilata")
    operator.get_by_role("button", name="Pubblica l'offerta").click()
    expect(main(operator)).to_contain_text(OFFER_TITLE)
    recorder.check(operator, "operatore-offerta-pubblicata")

    # 10. A citizen on a phone finds it in the public catalogue by words and filters, and opens its page.
    citizen = new_context().new_page()
    citizen.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    citizen.goto(live_server("/catalogo"))
    recorder.check(citizen, "cittadino-catalogo")
    citizen.locator("#q").fill("orto condiviso")
    citizen.locator("#gruppo").select_option("anziani")
    tick_field(citizen, "disponibili")
    citizen.get_by_role("button", name="Cerca").click()
    results = main(citizen)
    expect(results.get_by_role("link", name=OFFER_TITLE)).to_be_visible()
    expect(results).not_to_contain_text("Pacchi alimentari")  # the search narrowed the catalogue
    recorder.check(citizen, "cittadino-risultati")
    assert citizen.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH  # no sideways scrolling
    results.get_by_role("link", name=OFFER_TITLE).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(OFFER_TITLE)
    expect(main(citizen)).to_contain_text("Il Girasole APS")
    expect(main(citizen)).to_contain_text("8")
    assert CONTACT not in citizen.content() and "Paolo Benelli" not in citizen.content()  # nothing personal
    join = main(citizen).get_by_role("link", name="Chiedi di partecipare")
    expect(join).to_be_visible()
    colours = join.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert colours[0] != colours[1], colours  # the button's label can be read
    assert citizen.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH
    recorder.check(citizen, "cittadino-offerta")


def test_a_lost_draft_link_is_asked_again_from_the_public_page(live_server, new_context, recorder):
    page = new_context().new_page()
    page.goto(live_server("/aderisci/scheda"))
    page.locator("#name").fill("Il Girasole APS")
    page.locator("#contact_email").fill(CONTACT)
    page.get_by_role("button", name="Salva la bozza").last.click()
    expect(page.locator(".tessere-flashes")).to_contain_text("Bozza salvata")
    page.context.clear_cookies()

    page.goto(live_server("/aderisci"))
    page.get_by_role("link", name="Ho perso il link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ho perso il link della domanda")
    recorder.check(page, "link-perso")
    page.get_by_label(re.compile("^E-mail del referente")).fill("non-una-mail")
    page.get_by_role("button", name="Inviami il link").click()
    expect(main(page)).to_contain_text("Scrivi un indirizzo e-mail valido")
    recorder.check(page, "link-perso-errore")
    page.get_by_label(re.compile("^E-mail del referente")).fill(CONTACT)
    page.get_by_role("button", name="Inviami il link").click()
    expect(page.get_by_role("status")).to_contain_text("ti abbiamo appena inviato il link")
    recorder.check(page, "link-perso-inviato")
    page.goto(live_server(mail_link(live_server, "adesione_link_ritrovato", "/aderisci/domanda/")))
    expect(page.locator("#name")).to_have_value("Il Girasole APS")


def test_the_one_public_list_of_organizations_links_the_open_data(live_server, new_context, recorder):
    page = new_context().new_page()
    page.goto(live_server("/elenco"))  # the old address of the elenco
    expect(page).to_have_url(re.compile(r"/catalogo/organizzazioni$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organizzazioni della rete")
    expect(main(page).get_by_role("link", name="scarica in CSV")).to_have_attribute("href", "/elenco.csv")
    expect(main(page).get_by_role("link", name="scarica in JSON")).to_have_attribute("href", "/elenco.json")
    recorder.check(page, "organizzazioni")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    recorder.check(page, "organizzazioni-telefono")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE_WIDTH
