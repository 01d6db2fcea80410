"""Fase 1 – adesione alla rete, through the HTTP client as applicants and managers would use it.

The public scheda with bad input (Italian messages, nothing typed lost), drafts resumed by the e-mailed link, the
protocol number, the review (changes → amend → resubmit → approve; reject; the bound on change requests; the
deadline for changes), the invitation of the first operator, who may see applications, and the open data.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from stdnum import luhn

from engine.models import HumanTask, ProcessInstance
from tests import factories as f
from webapp.auth.models import User
from webapp.extensions import db
from webapp.membership import services
from webapp.membership.models import MembershipApplication
from webapp.network.models import Organization
from webapp.notifications.models import OutboxMessage


def _cf(base: str) -> str:
    """A valid 11-digit codice fiscale of an organization (the check digit is the partita IVA's)."""
    return base + luhn.calc_check_digit(base)


CF_MELOGRANO = _cf("9412345048")
CF_ALTRA = _cf("9487654048")
PIVA_MELOGRANO = _cf("0612345048")

SCHEDA = {
    "name": "Il Melograno APS",
    "org_type": "aps",
    "codice_fiscale": CF_MELOGRANO,
    "partita_iva": "",
    "founded_on": "2004-03-12",
    "founding_deed": "Scrittura privata registrata a Firenze il 12/03/2004",
    "legal_address": "Via Santo Stefano 40",
    "legal_postcode": "50013",
    "legal_municipality": "Campi Bisenzio",
    "legal_province": "FI",
    "sites-0-name": "Sede di Capalle",
    "sites-0-address": "Via di Capalle 12",
    "sites-0-postcode": "50013",
    "sites-0-municipality": "Campi Bisenzio",
    "sites-0-opening_hours": "lunedì e giovedì 15-18",
    "phone": "055 1234567",
    "email": "info@melograno-aps.it",
    "website": "https://www.melograno-aps.it",
    "pec": "melograno@pec.melograno-aps.it",
    "description": "Doposcuola e attività educative per bambini e ragazzi del quartiere.",
    "sectors": ["educazione", "servizi_sociali"],
    "target_groups": ["infanzia_famiglie"],
    "needs": ["dopo_scuola", "attivita_educative"],
    "area_scope": "comunale",
    "area_detail": "Capalle, San Donnino",
    "representative_name": "Anna Bianchi",
    "representative_role": "Presidente",
    "affiliation_provincial": "",
    "affiliation_regional": "",
    "affiliation_national": "ARCI",
    "runts_section": "aps",
    "runts_number": "2751",
    "runts_date": "2022-05-10",
    "albo_coop_section": "",
    "albo_coop_number": "",
    "other_registry": "",
    "contact_name": "Luca Verdi",
    "contact_email": "luca.verdi@melograno-aps.it",
    "contact_phone": "333 7654321",
    "declaration_truthful": "y",
    "declaration_privacy": "y",
    "declaration_publication": "y",
}

PROTOCOL = re.compile(r"^TESS-\d{4}-\d{6}$")


# ------------------------------------------------------------------ helpers
def post_scheda(client, url: str, data: dict, action: str, expect: int):
    response = client.post(url, data={**data, "azione": action})
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def submit_new(client, **overrides) -> str:
    """Send a complete scheda from the public page; returns the applicant's token."""
    response = post_scheda(client, "/aderisci/scheda", {**SCHEDA, **overrides}, "invia", 302)
    match = re.search(r"/aderisci/domanda/([^/]+)/ricevuta$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def application_by_cf(app, cf: str = CF_MELOGRANO) -> MembershipApplication:
    with app.app_context():
        application = db.session.scalar(
            select(MembershipApplication)
            .where(MembershipApplication.codice_fiscale == cf)
            .order_by(MembershipApplication.id.desc())
        )
        assert application is not None
        db.session.expunge(application)
        return application


def mails(app, kind: str | None = None) -> list[OutboxMessage]:
    """The e-mails of Fase 1 queued in the shared outbox (kinds `adesione_<kind>`)."""
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.kind.startswith("adesione_")).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == f"adesione_{kind}")
        rows = list(db.session.scalars(query))
        for row in rows:
            db.session.expunge(row)
        return rows


def link_path(body: str, prefix: str) -> str:
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"[^\s]+)", body)
    assert match, body
    return match.group(1)


def open_task(app, application_id: int, form_key: str) -> HumanTask | None:
    with app.app_context():
        instance_id = db.session.get(MembershipApplication, application_id).instance_id
        task = db.session.scalar(
            select(HumanTask).where(
                HumanTask.instance_id == instance_id, HumanTask.form_key == form_key, HumanTask.status == "open"
            )
        )
        if task is not None:
            db.session.expunge(task)
        return task


def review(app, manager, application_id: int, outcome: str, reason: str = "", expect: int = 302):
    task = open_task(app, application_id, services.REVIEW_FORM_KEY)
    assert task is not None, "no open review task"
    with app.app_context():
        lock = db.session.get(ProcessInstance, task.instance_id).lock_version
    response = manager.post(
        f"/adesioni/{application_id}",
        data={"task_id": task.id, "lock_version": lock, "esito_esame": outcome, "motivazione_esame": reason},
    )
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def amend(client, token: str, **overrides):
    """The applicant opens the link after a change request and sends the scheda again."""
    page = client.get(f"/aderisci/domanda/{token}").get_data(as_text=True)
    assert "chiede delle modifiche" in page
    return post_scheda(client, f"/aderisci/domanda/{token}", {**SCHEDA, **overrides}, "invia", 302)


# ------------------------------------------------------------------ the public page
def test_the_call_is_public_and_linked_for_anonymous_visitors(client):
    page = client.get("/aderisci").get_data(as_text=True)
    assert "Aderisci alla rete" in page and "Compila la scheda di ricognizione" in page
    form = client.get("/aderisci/scheda")
    assert form.status_code == 200
    assert "Codice fiscale dell" in form.get_data(as_text=True)


def test_invalid_codice_fiscale_and_partita_iva_get_italian_messages_and_nothing_typed_is_lost(app, client):
    bad = {**SCHEDA, "codice_fiscale": CF_MELOGRANO[:-1] + str((int(CF_MELOGRANO[-1]) + 1) % 10), "partita_iva": "123"}
    page = post_scheda(client, "/aderisci/scheda", bad, "invia", 422).get_data(as_text=True)
    assert "Il codice fiscale non è valido" in page
    assert "La partita IVA deve avere 11 cifre" in page
    assert "Quello che hai scritto è stato conservato" in page
    assert 'value="Il Melograno APS"' in page and "Doposcuola e attività educative" in page
    assert 'value="dopo_scuola"\n           checked' in page or re.search(r'value="dopo_scuola"\s+checked', page)
    assert 'value="Via di Capalle 12"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MembershipApplication)) == 0


def test_a_partita_iva_with_a_wrong_check_digit_is_refused(client):
    wrong = PIVA_MELOGRANO[:-1] + str((int(PIVA_MELOGRANO[-1]) + 1) % 10)
    page = post_scheda(client, "/aderisci/scheda", {**SCHEDA, "partita_iva": wrong}, "invia", 422)
    assert "La partita IVA non è valida" in page.get_data(as_text=True)


def test_a_codice_fiscale_already_in_the_elenco_is_refused_with_a_clear_message(client):
    page = post_scheda(client, "/aderisci/scheda", {**SCHEDA, "codice_fiscale": f.ORG_A_CF}, "invia", 422)
    text = page.get_data(as_text=True)
    assert "già iscritta all" in text and "elenco della rete" in text
    assert f'value="{f.ORG_A_CF}"' in text


def test_a_second_application_with_the_same_codice_fiscale_is_refused_while_the_first_is_under_review(app, client):
    submit_new(client)
    page = post_scheda(app.test_client(), "/aderisci/scheda", {**SCHEDA, "name": "Omonima"}, "invia", 422)
    assert "È già in esame una domanda di adesione con questo codice fiscale" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field_words"),
    [
        (
            {"runts_section": "", "runts_number": "", "runts_date": ""},
            "sezione «b) Associazioni di promozione sociale»",
        ),
        ({"runts_section": "odv"}, "la sezione del RUNTS è «b) Associazioni di promozione sociale»"),
        (
            {"org_type": "odv", "runts_section": "", "runts_number": "", "runts_date": ""},
            "a) Organizzazioni di volontariato",
        ),
        (
            {"org_type": "cooperativa_sociale", "runts_section": "", "runts_number": "", "runts_date": ""},
            "Albo regionale delle cooperative sociali",
        ),
        ({"org_type": "ets", "runts_section": "", "runts_number": "", "runts_date": ""}, "iscrizione al RUNTS"),
        ({"runts_number": ""}, "Indica il numero di iscrizione al RUNTS."),
    ],
    ids=["aps-without-runts", "aps-in-odv-section", "odv-without-runts", "coop-without-albo", "ets", "no-number"],
)
def test_third_sector_types_must_declare_the_enrolment_of_the_plan(client, overrides, field_words):
    page = post_scheda(client, "/aderisci/scheda", {**SCHEDA, **overrides}, "invia", 422).get_data(as_text=True)
    assert field_words in page.replace("&#34;", '"').replace("&#39;", "'")


def test_types_without_a_required_registry_need_no_enrolment(client):
    parish = {**SCHEDA, "org_type": "parrocchia", "runts_section": "", "runts_number": "", "runts_date": ""}
    assert submit_new(client, **parish)


def test_needs_must_belong_to_the_declared_beneficiary_types(client):
    page = post_scheda(client, "/aderisci/scheda", {**SCHEDA, "needs": ["dopo_scuola", "mensa"]}, "invia", 422)
    assert "non appartengono alle tipologie di beneficiari indicate: Servizi mensa" in page.get_data(as_text=True)


def test_operating_sites_can_be_added_and_removed_without_losing_anything(client):
    page = post_scheda(client, "/aderisci/scheda", SCHEDA, "aggiungi_sede", 200).get_data(as_text=True)
    assert "Sede operativa n. 2" in page and 'value="Via di Capalle 12"' in page
    two = {
        **SCHEDA,
        "sites-1-address": "Piazza Dante 3",
        "sites-1-municipality": "Campi Bisenzio",
        "sites-1-opening_hours": "sabato 9-12",
    }
    page = post_scheda(client, "/aderisci/scheda", two, "rimuovi_sede-0", 200).get_data(as_text=True)
    assert 'value="Piazza Dante 3"' in page and "Via di Capalle 12" not in page
    assert "Sede operativa n. 2" not in page and 'value="Il Melograno APS"' in page


def test_a_site_needs_address_and_opening_hours(client):
    page = post_scheda(client, "/aderisci/scheda", {**SCHEDA, "sites-0-opening_hours": ""}, "invia", 422)
    assert "Sede operativa n. 1 – Giorni e orari di apertura" in page.get_data(as_text=True)


# ------------------------------------------------------------------ drafts
def test_a_draft_is_saved_as_typed_and_resumed_by_the_emailed_link(app, client):
    partial = {"name": "Il Melograno APS", "codice_fiscale": "9412", "contact_email": SCHEDA["contact_email"]}
    response = post_scheda(client, "/aderisci/scheda", partial, "salva", 302)
    token = re.search(r"/aderisci/domanda/([^/?]+)$", response.headers["Location"]).group(1)

    (sent,) = mails(app, "bozza")
    assert sent.to_address == SCHEDA["contact_email"]
    path = link_path(sent.body_text, "/aderisci/domanda/")
    assert path == f"/aderisci/domanda/{token}"

    later = app.test_client()  # another browser, days later: only the link
    page = later.get(path)
    assert page.headers["Referrer-Policy"] == "no-referrer" and "no-store" in page.headers["Cache-Control"]
    text = page.get_data(as_text=True)
    assert 'value="Il Melograno APS"' in text and 'value="9412"' in text  # even the half-typed code is kept
    assert "Bozza salvata" in text

    post_scheda(later, path, {**partial, "description": "Scritta più tardi."}, "salva", 302)
    assert "Scritta più tardi." in later.get(path).get_data(as_text=True)
    assert len(mails(app, "bozza")) == 1  # the link is sent once, when the draft is created

    response = post_scheda(later, path, SCHEDA, "invia", 302)
    assert response.headers["Location"].endswith(f"/aderisci/domanda/{token}/ricevuta")


def test_a_draft_needs_the_referent_email_and_keeps_what_was_typed_when_it_is_missing(app, client):
    page = post_scheda(
        client, "/aderisci/scheda", {"name": "Il Melograno APS", "contact_email": "non-valida"}, "salva", 422
    ).get_data(as_text=True)
    assert "serve l&#39;e-mail del referente" in page or "serve l'e-mail del referente" in page
    assert "Indirizzo e-mail non valido." in page and 'value="Il Melograno APS"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MembershipApplication)) == 0


def test_a_refused_submission_of_a_saved_draft_still_saves_what_was_typed(app, client):
    response = post_scheda(client, "/aderisci/scheda", {"contact_email": SCHEDA["contact_email"]}, "salva", 302)
    path = response.headers["Location"]
    post_scheda(client, path, {**SCHEDA, "codice_fiscale": "123"}, "invia", 422)
    text = app.test_client().get(path).get_data(as_text=True)
    assert 'value="123"' in text and "Doposcuola e attività educative" in text


def test_a_forged_or_altered_link_opens_nothing(app, client):
    token = submit_new(client)
    assert client.get(f"/aderisci/domanda/{token[:-2]}xy").status_code == 404
    assert client.get("/aderisci/domanda/qualsiasi-cosa").status_code == 404
    assert "Link non valido" in client.get("/aderisci/domanda/abc/ricevuta").get_data(as_text=True)


# ------------------------------------------------------------------ submission
def test_submission_gives_a_protocol_number_a_receipt_and_a_review_task(app, client, login):
    token = submit_new(client)
    application = application_by_cf(app)
    assert PROTOCOL.match(application.protocol_number)
    assert application.status == "submitted" and application.revision == 1
    assert application.protocol_number.split("-")[1] == str(datetime.now(UTC).year)

    page = client.get(f"/aderisci/domanda/{token}/ricevuta").get_data(as_text=True)
    assert application.protocol_number in page and "Ricevuta della domanda di adesione" in page
    (receipt,) = mails(app, "ricevuta")
    assert application.protocol_number in receipt.subject and application.protocol_number in receipt.body_text

    other = submit_new(app.test_client(), codice_fiscale=CF_ALTRA, name="Seconda APS")
    assert other
    second = application_by_cf(app, CF_ALTRA)
    first_number = int(application.protocol_number.rsplit("-", 1)[1])
    assert int(second.protocol_number.rsplit("-", 1)[1]) == first_number + 1

    manager = login(f.MANAGER)
    assert "Esame della domanda di adesione" in manager.get("/attivita").get_data(as_text=True)
    listing = manager.get("/adesioni").get_data(as_text=True)
    assert application.protocol_number in listing and "Il Melograno APS" in listing


def test_a_submitted_application_cannot_be_changed_through_the_link(app, client):
    token = submit_new(client)
    response = client.post(
        f"/aderisci/domanda/{token}", data={**SCHEDA, "name": "Cambiato", "azione": "invia"}, follow_redirects=True
    )
    text = response.get_data(as_text=True)
    assert "ora non si può modificare" in text and "La domanda è in esame" in text
    assert application_by_cf(app).name == "Il Melograno APS"


def test_the_scheda_is_kept_out_of_the_process_state(app, client):
    submit_new(client)
    application = application_by_cf(app)
    with app.app_context():
        state = db.session.get(ProcessInstance, application.instance_id).state_json
    for private in ("Anna Bianchi", "luca.verdi", "Doposcuola", CF_MELOGRANO):
        assert private not in state


# ------------------------------------------------------------------ review
def test_changes_then_amend_then_approve_puts_the_organization_in_the_elenco_and_invites_its_operator(app, login):
    applicant, manager = app.test_client(), login(f.MANAGER)
    token = submit_new(applicant)
    application = application_by_cf(app)

    detail = manager.get(f"/adesioni/{application.id}").get_data(as_text=True)
    assert "Anna Bianchi" in detail and "Via di Capalle 12" in detail and "RUNTS" in detail
    review(app, manager, application.id, "modifiche", "Indicate anche gli orari del sabato.")
    assert application_by_cf(app).status == "changes_requested"

    (request_mail,) = mails(app, "modifiche_richieste")
    assert "Indicate anche gli orari del sabato." in request_mail.body_text
    assert link_path(request_mail.body_text, "/aderisci/domanda/") == f"/aderisci/domanda/{token}"
    waiting = manager.get(f"/adesioni/{application.id}").get_data(as_text=True)
    assert "In attesa delle modifiche del richiedente" in waiting
    assert "Esame della domanda di adesione" not in manager.get("/attivita").get_data(as_text=True)

    amend(applicant, token, **{"sites-0-opening_hours": "lunedì e giovedì 15-18, sabato 9-12"})
    amended = application_by_cf(app)
    assert amended.status == "submitted" and amended.revision == 2
    assert len(mails(app, "ricevuta_modifiche")) == 1

    review(app, manager, application.id, "approva")
    approved = application_by_cf(app)
    assert approved.status == "approved"
    with app.app_context():
        organization = db.session.get(Organization, approved.organization_id)
        assert organization.status == "approved" and organization.codice_fiscale == CF_MELOGRANO
        assert organization.type == "aps" and "RUNTS - sezione Associazioni di promozione sociale n. 2751" == (
            organization.registry_enrolment
        )
        assert db.session.get(ProcessInstance, approved.instance_id).status == "completed"
        site = approved_site = db.session.get(MembershipApplication, approved.id).sites[0]
        assert "sabato 9-12" in approved_site.opening_hours and site.position == 0
    assert "Il Melograno APS" in app.test_client().get("/catalogo/organizzazioni").get_data(as_text=True)

    # The referent gets a single-use invitation and becomes the first operator.
    (invitation,) = mails(app, "invito_operatore")
    assert invitation.to_address == SCHEDA["contact_email"]
    path = link_path(invitation.body_text, "/aderisci/invito/")
    operator = app.test_client()
    page = operator.post(path, data={"name": "Luca Verdi", "password": "corta", "password_again": "corta"})
    assert page.status_code == 422 and "almeno 10 caratteri" in page.get_data(as_text=True)
    page = operator.post(path, data={"name": "Luca Verdi", "password": "password123", "password_again": "password123"})
    assert page.status_code == 422 and "tra le più usate" in page.get_data(as_text=True)  # the app's password policy
    page = operator.post(path, data={"name": "Luca Verdi", "password": "una-password-lunga", "password_again": "altra"})
    assert page.status_code == 422 and "non coincidono" in page.get_data(as_text=True)
    response = operator.post(
        path, data={"name": "Luca Verdi", "password": "una-password-lunga", "password_again": "una-password-lunga"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/attivita")
    assert "Le mie attività" in operator.get("/attivita").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == SCHEDA["contact_email"]))
        assert user.role == "association" and user.organization_id == approved.organization_id

    fresh = app.test_client()
    login_response = fresh.post("/accesso", data={"email": SCHEDA["contact_email"], "password": "una-password-lunga"})
    assert login_response.status_code == 302
    assert "Le mie attività" in fresh.get("/attivita").get_data(as_text=True)
    assert app.test_client().get(path).status_code == 404  # single use

    history = manager.get(f"/adesioni/{application.id}").get_data(as_text=True)
    for step in (
        "Domanda inviata e protocollata",
        "Modifiche richieste",
        "Domanda modificata inviata di nuovo",
        "Domanda approvata",
        "Invito inviato",
        "Invito accettato",
    ):
        assert step in history


def test_rejection_needs_a_reason_which_reaches_the_applicant(app, client, login):
    manager = login(f.MANAGER)
    token = submit_new(client)
    application = application_by_cf(app)
    page = review(app, manager, application.id, "rifiuta", "", expect=422).get_data(as_text=True)
    assert "Scrivi il motivo per cui la domanda è respinta." in page

    review(app, manager, application.id, "rifiuta", "L'organizzazione non opera a Campi Bisenzio.")
    rejected = application_by_cf(app)
    assert rejected.status == "rejected" and rejected.organization_id is None
    (notice,) = mails(app, "domanda_non_accolta")
    assert "L'organizzazione non opera a Campi Bisenzio." in notice.body_text
    status = client.get(f"/aderisci/domanda/{token}").get_data(as_text=True)
    assert "non è stata accolta" in status and "non opera a Campi Bisenzio" in status
    with app.app_context():
        assert db.session.scalar(select(Organization).where(Organization.codice_fiscale == CF_MELOGRANO)) is None
    assert submit_new(app.test_client())  # a rejected organization may apply again


def test_asking_for_changes_needs_the_changes(app, client, login):
    submit_new(client)
    application = application_by_cf(app)
    page = review(app, login(f.MANAGER), application.id, "modifiche", "", expect=422).get_data(as_text=True)
    assert "Scrivi quali modifiche chiedi al richiedente." in page
    assert application_by_cf(app).status == "submitted"


def test_change_requests_are_bounded_then_the_application_must_be_decided(app, client, login):
    manager = login(f.MANAGER)
    token = submit_new(client)
    application = application_by_cf(app)
    for round_number in range(1, services.MAX_CHANGE_REQUESTS + 1):
        review(app, manager, application.id, "modifiche", f"Richiesta n. {round_number}")
        amend(client, token, description=f"Versione {round_number + 1}.")
    page = review(app, manager, application.id, "modifiche", "Ancora una", expect=422).get_data(as_text=True)
    assert f"Sono già state chieste modifiche {services.MAX_CHANGE_REQUESTS} volte" in page
    assert application_by_cf(app).status == "submitted"
    review(app, manager, application.id, "approva")
    done = application_by_cf(app)
    assert done.status == "approved" and done.revision == services.MAX_CHANGE_REQUESTS + 1
    assert len(mails(app, "modifiche_richieste")) == services.MAX_CHANGE_REQUESTS


def test_the_diagram_bounds_the_loop_as_the_domain_does(app):
    tree = etree.parse(str(Path(app.config["TESSERE_BPMN_DIR"]) / "fase1_adesione.bpmn"))
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    (loop,) = tree.findall(".//bpmn:subProcess/bpmn:standardLoopCharacteristics", ns)
    assert int(loop.get("loopMaximum")) == services.MAX_CHANGE_REQUESTS + 1
    (timer,) = tree.findall(".//bpmn:boundaryEvent//bpmn:timeDuration", ns)
    assert timer.text == f"P{services.CHANGES_DEADLINE_DAYS}D"


def test_changes_not_sent_within_the_deadline_close_the_application_when_the_worker_runs(app, client, login, runner):
    token = submit_new(client)
    application = application_by_cf(app)
    review(app, login(f.MANAGER), application.id, "modifiche", "Manca lo statuto.")
    task = open_task(app, application.id, services.AMEND_FORM_KEY)
    assert task is not None and task.due_at is not None and task.role == services.APPLICANT_ROLE

    later = (datetime.now(UTC) + timedelta(days=services.CHANGES_DEADLINE_DAYS + 1)).isoformat()
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", later])
    assert result.exit_code == 0, result.output
    closed = application_by_cf(app)
    assert closed.status == "rejected" and "entro il termine" in closed.last_request
    assert open_task(app, application.id, services.AMEND_FORM_KEY) is None
    (notice,) = mails(app, "domanda_non_accolta")
    assert "entro il termine" in notice.body_text
    runner.invoke(args=["tessere", "worker", "--once", "--now", later])  # the worker also delivers the outbox
    assert {m.status for m in mails(app)} == {"sent"}
    page = client.post(f"/aderisci/domanda/{token}", data={**SCHEDA, "azione": "invia"}, follow_redirects=True)
    assert "non è stata accolta" in page.get_data(as_text=True)


def test_the_manager_can_send_a_new_invitation_and_the_old_link_stops_working(app, client, login):
    manager = login(f.MANAGER)
    submit_new(client)
    application = application_by_cf(app)
    review(app, manager, application.id, "approva")
    first = link_path(mails(app, "invito_operatore")[0].body_text, "/aderisci/invito/")
    manager.post(f"/adesioni/{application.id}/invito")
    second = link_path(mails(app, "invito_operatore")[1].body_text, "/aderisci/invito/")
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


# ------------------------------------------------------------------ who sees applications
@pytest.mark.parametrize("email", [f.OPERATOR_A, f.SOCIAL_WORKER, f.ADMIN])
def test_only_managers_see_applications(app, client, login, email):
    submit_new(client)
    application = application_by_cf(app)
    other = login(email)
    assert other.get("/adesioni").status_code == 404
    assert other.get(f"/adesioni/{application.id}").status_code == 404
    assert other.post(f"/adesioni/{application.id}", data={"esito_esame": "approva"}).status_code == 404
    assert "Esame della domanda" not in other.get("/attivita").get_data(as_text=True)
    task = open_task(app, application.id, services.REVIEW_FORM_KEY)
    assert other.get(f"/attivita/{task.id}").status_code == 404
    assert "Domande di adesione" not in other.get("/attivita").get_data(as_text=True)
    assert client.get("/adesioni").status_code == 302  # anonymous: to the login page


def test_a_review_task_of_the_worklist_leads_to_its_application(app, client, login):
    submit_new(client)
    application = application_by_cf(app)
    task = open_task(app, application.id, services.REVIEW_FORM_KEY)
    response = login(f.MANAGER).get(f"/adesioni/attivita/{task.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/adesioni/{application.id}")
    assert login(f.OPERATOR_A).get(f"/adesioni/attivita/{task.id}").status_code == 404


def test_the_manager_nav_links_to_applications(login):
    assert "Domande di adesione" in login(f.MANAGER).get("/attivita").get_data(as_text=True)


# ------------------------------------------------------------------ open data
def _approve(app, login, client=None, **overrides) -> MembershipApplication:
    client = client or app.test_client()
    submit_new(client, **overrides)
    application = application_by_cf(app, overrides.get("codice_fiscale", CF_MELOGRANO))
    review(app, login(f.MANAGER), application.id, "approva")
    return application_by_cf(app, overrides.get("codice_fiscale", CF_MELOGRANO))


def test_the_elenco_is_open_data_in_json_with_public_fields_only(app, client, login):
    _approve(app, login, partita_iva=PIVA_MELOGRANO)
    response = client.get("/elenco.json")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["numero_organizzazioni"] == 3 and body["licenza"]
    names = [entry["denominazione"] for entry in body["organizzazioni"]]
    assert names == sorted(names) and "Il Melograno APS" in names and "Emporio Solidale di prova" in names
    (melograno,) = [e for e in body["organizzazioni"] if e["codice_fiscale"] == CF_MELOGRANO]
    assert melograno["partita_iva"] == PIVA_MELOGRANO and melograno["tipo"] == "aps"
    assert melograno["sedi_operative"][0]["orari"] == "lunedì e giovedì 15-18"
    assert {a["codice"] for a in melograno["ambiti"]} == {"educazione", "servizi_sociali"}
    assert [g["codice"] for g in melograno["tipologie_beneficiari"]] == ["infanzia_famiglie"]
    assert melograno["iscrizioni_registri"][0]["numero"] == "2751"
    assert melograno["affiliazioni"]["nazionale"] == "ARCI"
    raw = response.get_data(as_text=True)
    for private in ("Anna Bianchi", "Luca Verdi", "luca.verdi", "pec.melograno", "333 7654321"):
        assert private not in raw


def test_the_elenco_csv_has_the_public_fields_of_approved_organizations_only(app, client, login):
    _approve(app, login)
    submit_new(app.test_client(), codice_fiscale=CF_ALTRA, name="Ancora in esame APS")
    response = client.get("/elenco.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["denominazione"] for r in rows] == sorted(r["denominazione"] for r in rows)
    (row,) = [r for r in rows if r["codice_fiscale"] == CF_MELOGRANO]
    assert row["tipo_descrizione"] == "Associazione di promozione sociale (APS)"
    assert "Via di Capalle 12" in row["sedi_operative"] and "Doposcuola" in row["descrizione_attivita"]
    assert "Ancora in esame APS" not in response.get_data(as_text=True)
    for private in ("Anna Bianchi", "Luca Verdi", "pec.melograno"):
        assert private not in response.get_data(as_text=True)


def test_the_csv_cannot_smuggle_spreadsheet_formulas(app, client, login):
    _approve(
        app,
        login,
        name='=HYPERLINK("http://evil.example","clic")',
        description="+SUM(1;2) descrizione",
        area_detail="@Campi",
        affiliation_national="-2+3",
        phone="+39 055 1234567",
    )
    text = client.get("/elenco.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    (row,) = [r for r in csv.DictReader(io.StringIO(text)) if r["codice_fiscale"] == CF_MELOGRANO]
    assert row["denominazione"] == '\'=HYPERLINK("http://evil.example","clic")'
    assert row["descrizione_attivita"] == "'+SUM(1;2) descrizione" and row["telefono"] == "'+39 055 1234567"
    body = client.get("/elenco.json").get_json()  # JSON keeps the value as typed: no spreadsheet runs it
    assert any(e["denominazione"].startswith("=HYPERLINK") for e in body["organizzazioni"])


def test_the_old_elenco_page_moved_for_good_to_the_catalogue_list_which_links_the_open_data(app, client, login):
    _approve(app, login)
    response = client.get("/elenco")
    assert response.status_code == 301 and response.headers["Location"].endswith("/catalogo/organizzazioni")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Il Melograno APS" in page and "Emporio Solidale di prova" in page
    assert 'href="/elenco.csv"' in page and 'href="/elenco.json"' in page
    assert client.get("/elenco.csv").status_code == client.get("/elenco.json").status_code == 200
    assert 'href="/catalogo/organizzazioni"' in client.get("/aderisci").get_data(as_text=True)
