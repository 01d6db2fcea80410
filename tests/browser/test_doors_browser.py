"""The three doors into the network in a real browser, each person in their own context: an organization signals a
person and the social service takes them in charge; a citizen asks to join an offer from the public catalogue; a
specialist service refers within a network agreement the manager recorded.

Every step asserts on the Italian text people read, saves a full-page screenshot in test-artifacts/screenshots/
and runs axe-core in the page (no critical or serious violations allowed).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests import factories as f
from webapp.extensions import db
from webapp.notifications.models import OutboxMessage

pytestmark = pytest.mark.browser

HEALTH = "npi.ufsmia@test.it"


def log_in(page: Page, server, email: str, rec) -> None:
    page.goto(server("/accesso"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accedi a Tessere")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page).to_have_url(re.compile(r"/attivita$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Le mie attività")


def tick(page: Page, label) -> None:
    """Tick a checkbox or radio as people do: bootstrap-italia draws the box on the label, over the real input."""
    box = page.get_by_label(label)
    page.locator(f'label[for="{box.get_attribute("id")}"]').click()
    expect(box).to_be_checked()


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Navigazione principale").get_by_role("link", name=name).click()


def main(page: Page):
    return page.locator("main")


def flashes(page: Page):
    return page.locator(".tessere-flashes")


def test_an_organization_signals_a_person_and_the_social_service_takes_them_in_charge(
    live_server, new_context, recorder
):
    operator = new_context().new_page()
    worker = new_context().new_page()

    # 1. The association's operator signals a person; a first try without consent and contact keeps what was typed.
    log_in(operator, live_server, f.OPERATOR_A, recorder)
    nav(operator, "Segnalazioni")
    expect(operator.get_by_role("heading", level=1)).to_have_text("Le nostre segnalazioni")
    operator.get_by_role("link", name="Segnala una persona").click()
    expect(operator.get_by_role("heading", level=1)).to_have_text("Segnala una persona al Servizio sociale")
    recorder.check(operator, "op-nuova-segnalazione")
    operator.get_by_label(re.compile(r"^Nome")).fill("Giovanni")
    operator.get_by_label(re.compile(r"^Cognome")).fill("Esposito")
    operator.get_by_label(re.compile(r"^Perché segnalate la persona")).fill("Ha perso il lavoro e chiede aiuto.")
    operator.get_by_label(re.compile(r"^Gruppo di riferimento")).select_option(label="Povertà e marginalità sociale")
    tick(operator, "Distribuzione generi alimentari")
    operator.get_by_role("button", name="Invia la segnalazione").click()
    summary = operator.get_by_role("alert").filter(has_text="Il modulo contiene 2 errori")
    expect(summary).to_contain_text("Indica almeno un recapito")
    expect(summary).to_contain_text("Senza il consenso della persona non è possibile segnalarla.")
    expect(operator.get_by_label(re.compile(r"^Nome"))).to_have_value("Giovanni")
    expect(operator.get_by_label("Distribuzione generi alimentari")).to_be_checked()
    recorder.check(operator, "op-segnalazione-errori")
    operator.get_by_label(re.compile(r"^Telefono")).fill("340 1112223")
    tick(operator, re.compile(r"^La persona ha acconsentito"))
    operator.get_by_role("button", name="Invia la segnalazione").click()
    expect(operator.get_by_role("heading", level=1)).to_contain_text("Segnalazione n. ")
    expect(flashes(operator)).to_contain_text("inviata al Servizio sociale")
    expect(main(operator)).to_contain_text("In valutazione al Servizio sociale")
    recorder.check(operator, "op-segnalazione-inviata")

    # 2. A social worker finds the evaluation among their tasks and asks the organization one question.
    log_in(worker, live_server, f.SOCIAL_WORKER, recorder)
    worklist = worker.locator("#worklist")
    expect(worklist).to_contain_text("Giovanni Esposito")
    recorder.check(worker, "as-attivita-valutazione")
    worklist.get_by_role("link", name="Valutazione della segnalazione", exact=True).click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Valutazione della segnalazione")
    expect(worker.locator("aside")).to_contain_text("Ha perso il lavoro e chiede aiuto.")
    expect(worker.locator("aside")).to_contain_text("340 1112223")
    tick(worker, "Chiedere altre informazioni all'organizzazione")
    worker.get_by_label(re.compile(r"^Cosa chiedere all'organizzazione")).fill("Vive da solo?")
    recorder.check(worker, "as-valutazione-domanda")
    worker.get_by_role("button", name="Conferma").click()
    expect(flashes(worker)).to_contain_text("«Valutazione della segnalazione» completata.")

    # 3. The organization answers from its task list.
    nav(operator, "Le mie attività")
    operator.locator("#worklist").get_by_role("link", name="Integrazione della segnalazione", exact=True).click()
    expect(operator.locator("aside")).to_contain_text("Vive da solo?")
    operator.get_by_label(re.compile(r"^Risposta per il Servizio sociale")).fill("Sì, da due anni.")
    recorder.check(operator, "op-integrazione")
    operator.get_by_role("button", name="Conferma").click()
    expect(flashes(operator)).to_contain_text("«Integrazione della segnalazione» completata.")

    # 4. Back to the social service, which takes the person in charge: the intake opens prefilled.
    nav(worker, "Le mie attività")
    worker.locator("#worklist").get_by_role("link", name="Valutazione della segnalazione", exact=True).click()
    expect(worker.locator("aside")).to_contain_text("Sì, da due anni.")
    tick(worker, "Avviare la presa in carico")
    worker.get_by_role("button", name="Conferma").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Presa in carico")
    expect(worker.get_by_label(re.compile(r"^Nome"))).to_have_value("Giovanni")
    expect(worker.get_by_label(re.compile(r"^Cognome"))).to_have_value("Esposito")
    expect(worker.get_by_label(re.compile(r"^Telefono"))).to_have_value("340 1112223")
    expect(worker.get_by_label(re.compile(r"^Gruppo di riferimento"))).to_have_value("poverta")
    expect(worker.get_by_label("Distribuzione generi alimentari")).to_be_checked()
    expect(worker.get_by_label(re.compile(r"^Note del servizio sociale"))).to_have_value(
        re.compile(r"^Dalla segnalazione n\. \d+ di Emporio Solidale di prova")
    )
    recorder.check(worker, "as-presa-in-carico-precompilata")
    tick(worker, re.compile(r"^La persona acconsente"))
    worker.get_by_role("button", name="Conferma").click()
    expect(worker.get_by_role("heading", level=1)).to_have_text("Scelta dell'offerta e invio")

    # 5. The organization sees the signal's state, not the case.
    operator.reload()
    nav(operator, "Segnalazioni")
    expect(operator.locator("#signals")).to_contain_text("Presa in carico dal Servizio sociale")
    operator.locator("#signals").get_by_role("link", name="Giovanni Esposito").click()
    expect(main(operator)).to_contain_text("Il percorso della persona resta al Servizio sociale")
    expect(main(operator).get_by_role("link", name=re.compile(r"Apri il caso"))).to_have_count(0)
    recorder.check(operator, "op-segnalazione-presa-in-carico")


def _confirmation_link(app, email: str) -> str:
    with app.app_context():
        body = db.session.scalar(
            select(OutboxMessage.body_text).where(
                OutboxMessage.kind == "cittadino_conferma", OutboxMessage.to_address == email
            )
        )
    return re.search(r"(/partecipa/[A-Za-z0-9_-]+)", body).group(1)


def test_a_citizen_asks_to_join_an_offer_and_the_organization_accepts(live_server, new_context, recorder):
    citizen = new_context().new_page()
    operator = new_context().new_page()
    worker = new_context().new_page()

    # 1. From the public catalogue, the citizen asks to take part (and for the social service's support).
    citizen.goto(live_server("/catalogo"))
    citizen.get_by_role("link", name="Pacchi alimentari").first.click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Pacchi alimentari")
    recorder.check(citizen, "cit-offerta")
    citizen.get_by_role("link", name="Chiedi di partecipare").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Chiedi di partecipare")
    citizen.get_by_label(re.compile(r"^Nome e cognome")).fill("Lucia Ferri")
    citizen.get_by_label(re.compile(r"^E-mail")).fill("lucia.ferri@example")
    citizen.get_by_label(re.compile(r"^Messaggio per l'organizzazione")).fill("Sono libera il pomeriggio.")
    tick(citizen, re.compile(r"^Vorrei essere contattata/o anche dal Servizio sociale"))
    citizen.get_by_role("button", name="Invia la richiesta").click()
    summary = citizen.get_by_role("alert").filter(has_text="Il modulo contiene 2 errori")
    expect(summary).to_contain_text("Indirizzo e-mail non valido.")
    expect(summary).to_contain_text("Senza il consenso al trattamento dei dati")
    expect(citizen.get_by_label(re.compile(r"^Messaggio per l'organizzazione"))).to_have_value(
        "Sono libera il pomeriggio."
    )
    recorder.check(citizen, "cit-richiesta-errori")
    citizen.get_by_label(re.compile(r"^E-mail")).fill("lucia.ferri@example.org")
    tick(citizen, re.compile(r"^Acconsento al trattamento"))
    citizen.get_by_role("button", name="Invia la richiesta").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Controlla la tua e-mail")
    recorder.check(citizen, "cit-controlla-email")

    # 2. The link in the e-mail: the citizen confirms, and only now the organization gets the request.
    citizen.goto(live_server(_confirmation_link(live_server.app, "lucia.ferri@example.org")))
    expect(main(citizen)).to_contain_text("Conferma la richiesta")
    recorder.check(citizen, "cit-conferma")
    citizen.get_by_role("button", name="Conferma la richiesta").click()
    expect(flashes(citizen)).to_contain_text("Richiesta confermata")
    expect(main(citizen)).to_contain_text("In attesa di risposta")
    recorder.check(citizen, "cit-in-attesa")

    # 3. The organization accepts, with where and when.
    log_in(operator, live_server, f.OPERATOR_A, recorder)
    worklist = operator.locator("#worklist")
    expect(worklist).to_contain_text("Lucia Ferri")
    worklist.get_by_role("link", name="Risposta alla richiesta del cittadino", exact=True).click()
    expect(operator.locator("aside")).to_contain_text("Sono libera il pomeriggio.")
    tick(operator, "Accogliamo la richiesta")
    operator.get_by_label(re.compile(r"^Messaggio per il cittadino")).fill("Ti aspettiamo lunedì alle 10.")
    operator.get_by_label(re.compile(r"^Data del primo incontro")).fill(f"{datetime.now(UTC).year + 1}-03-02")
    recorder.check(operator, "op-risposta-cittadino")
    operator.get_by_role("button", name="Conferma").click()
    expect(flashes(operator)).to_contain_text("«Risposta alla richiesta del cittadino» completata.")
    nav(operator, "Richieste dei cittadini")
    expect(operator.locator("#citizen-requests")).to_contain_text("Accettata")
    recorder.check(operator, "op-richieste")

    # 4. The citizen reads the answer; the offer shows one place fewer.
    citizen.reload()
    expect(main(citizen)).to_contain_text("Richiesta accolta")
    expect(main(citizen)).to_contain_text("Ti aspettiamo lunedì alle 10.")
    recorder.check(citizen, "cit-accolta")
    citizen.get_by_role("link", name="Torna all'offerta").click()
    expect(main(citizen)).to_contain_text("1 posti su 2")

    # 5. The citizen asked for support: the social service contacts them.
    log_in(worker, live_server, f.SOCIAL_WORKER, recorder)
    worker.locator("#worklist").get_by_role("link", name="Contatto con il cittadino", exact=True).click()
    expect(worker.locator("aside")).to_contain_text("Lucia Ferri")
    tick(worker, "Ho contattato la persona")
    recorder.check(worker, "as-contatto-cittadino")
    worker.get_by_role("button", name="Conferma").click()
    expect(flashes(worker)).to_contain_text("«Contatto con il cittadino» completata.")


def test_a_specialist_service_refers_within_the_agreement_the_manager_recorded(live_server, new_context, recorder):
    with live_server.app.app_context():
        f.make_user(db.session, HEALTH, "health_service")
        db.session.commit()
    manager = new_context().new_page()
    health = new_context().new_page()
    year = datetime.now(UTC).year

    # 1. The manager records the agreement, its service, and binds the operator.
    log_in(manager, live_server, f.MANAGER, recorder)
    nav(manager, "Accordi di rete")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Accordi di rete con i servizi specialistici")
    recorder.check(manager, "resp-accordi-vuoto")
    manager.get_by_role("link", name="Nuovo accordo").click()
    manager.get_by_label(re.compile(r"^Titolo dell'accordo")).fill("Accordo di rete UFSMIA")
    manager.get_by_label(re.compile(r"^Ente con cui è stipulato")).fill("Azienda USL Toscana Centro")
    manager.get_by_label(re.compile(r"^In vigore dal")).fill(f"{year}-01-01")
    manager.get_by_label(re.compile(r"^In vigore fino al")).fill(f"{year - 1}-12-31")
    manager.get_by_role("button", name="Registra l'accordo").click()
    expect(manager.get_by_role("alert")).to_contain_text("La fine della validità non può precedere l'inizio.")
    expect(manager.get_by_label(re.compile(r"^Titolo dell'accordo"))).to_have_value("Accordo di rete UFSMIA")
    recorder.check(manager, "resp-accordo-errore")
    manager.get_by_label(re.compile(r"^In vigore fino al")).fill(f"{year + 2}-12-31")
    manager.get_by_role("button", name="Registra l'accordo").click()
    expect(flashes(manager)).to_contain_text("Accordo registrato.")
    manager.get_by_label(re.compile(r"^Nome del servizio")).fill("UFSMIA Zona Nord-Ovest")
    manager.get_by_label(re.compile(r"^Tipo di servizio")).select_option("ufsmia")
    manager.get_by_role("button", name="Aggiungi il servizio").click()
    expect(manager.locator("#services")).to_contain_text("UFSMIA Zona Nord-Ovest")
    manager.get_by_label("E-mail dell'operatore di UFSMIA Zona Nord-Ovest").fill(HEALTH)
    manager.get_by_role("button", name="Collega a UFSMIA Zona Nord-Ovest").click()
    expect(flashes(manager)).to_contain_text("ora opera per «UFSMIA Zona Nord-Ovest»")
    expect(manager.locator("#services")).to_contain_text(HEALTH)
    recorder.check(manager, "resp-accordo")

    # 2. The specialist operator takes a person in charge and sends them to an offer.
    log_in(health, live_server, HEALTH, recorder)
    nav(health, "Nuova presa in carico")
    health.get_by_label(re.compile(r"^Nome")).fill("Sara")
    health.get_by_label(re.compile(r"^Cognome")).fill("Neri")
    health.get_by_label(re.compile(r"^Gruppo di riferimento")).select_option(label="Povertà e marginalità sociale")
    tick(health, "Servizi mensa")
    tick(health, re.compile(r"^La persona acconsente"))
    recorder.check(health, "ufsmia-presa-in-carico")
    health.get_by_role("button", name="Conferma").click()
    expect(health.get_by_role("heading", level=1)).to_have_text("Scelta dell'offerta e invio")
    offers = health.get_by_label(re.compile(r"^Offerta della rete"))
    offers.select_option(offers.locator("option", has_text="Mensa solidale").get_attribute("value"))
    health.get_by_label(re.compile(r"^Messaggio per l'organizzazione")).fill("Seguita dalla UFSMIA.")
    health.get_by_role("button", name="Conferma").click()
    expect(health.get_by_role("heading", level=1)).to_contain_text("Sara Neri")
    expect(main(health)).to_contain_text("Servizio inviante: UFSMIA Zona Nord-Ovest")
    recorder.shot(health, "ufsmia-caso")  # the case page itself is checked by the referral journey's browser test

    # 3. The manager sees the referral under its referring service.
    manager.goto(live_server("/accordi/invii"))
    row = manager.locator("#by-service tr", has_text="UFSMIA Zona Nord-Ovest")
    expect(row.locator("td").nth(1)).to_have_text("1")
    row.get_by_role("link", name="UFSMIA Zona Nord-Ovest").click()
    expect(manager.locator("#referrals")).to_contain_text("Mensa solidale")
    recorder.check(manager, "resp-invii-per-servizio")
