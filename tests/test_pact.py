"""The patto di rete (Fase 2): publication through `fase2_patto`, signatures and withdrawals, reminders by timer."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from engine.models import HumanTask, ProcessInstance
from forms.pact import add_years, earliest_end
from tests import factories as f
from webapp.auth.models import User
from webapp.extensions import db
from webapp.network.models import Offer, Organization
from webapp.pact import services
from webapp.pact.models import PactSignature, PactVersion
from webapp.referrals.models import Notification

PACT_TEXT = "Art. 1 – Oggetto\nLa rete Tessere collabora per l'inclusione.\n\nArt. 2 – Durata\nTre anni."


# ------------------------------------------------------------------------------------------------ helpers
def today() -> date:
    return services.local_day(datetime.now(UTC))


def three_years_from(start: date) -> tuple[str, str]:
    return start.isoformat(), earliest_end(start).isoformat()


def start_publication(client) -> int:
    """The manager asks for a new version; returns the publication task id (a task of fase2_patto)."""
    response = client.post("/patto/nuova-versione")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/patto/pubblicazione/(\d+)", response.headers["Location"]).group(1))


def publish(client, valid_from: str, valid_until: str, text: str = PACT_TEXT, expect: int = 302):
    task_id = start_publication(client)
    response = client.post(
        f"/patto/pubblicazione/{task_id}",
        data={"title": "Patto di rete di prova", "text": text, "valid_from": valid_from, "valid_until": valid_until},
    )
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def publish_directly(app, valid_from: date | None = None, years: int = 3) -> int:
    """A version published by the service (no process): for tests that only need a pact in force."""
    start = valid_from or today()
    with app.app_context():
        version = services.publish_pact(
            db.session,
            title="Patto di rete",
            text=PACT_TEXT,
            valid_from=start,
            valid_until=add_years(start, years) - timedelta(days=1),
            change_note=None,
            published_by_id=None,
            instance_id=None,
            now=datetime.now(UTC),
        )
        db.session.commit()
        return version.id


def sign_directly(app, email: str, version_id: int) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        services.sign_pact(db.session, user, version_id, "Presidente", datetime.now(UTC))
        db.session.commit()


def signatures(app) -> list[PactSignature]:
    with app.app_context():
        rows = list(db.session.scalars(select(PactSignature).order_by(PactSignature.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def notifications(app, kind: str) -> list[Notification]:
    with app.app_context():
        rows = list(db.session.scalars(select(Notification).where(Notification.kind == kind)))
        for row in rows:
            db.session.expunge(row)
        return rows


def organization_id(app, cf: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Organization.id).where(Organization.codice_fiscale == cf))


# ------------------------------------------------------------------------------------------ publication
def test_the_pact_diagram_is_shipped_and_deployed(app):
    from webapp.workflow import get_engine

    with app.app_context():
        version = get_engine().latest_version(db.session, "fase2_patto")
        assert version is not None and version.version == 1
        assert "BPMNDiagram" in version.bpmn_xml  # it renders in the modeler


def test_a_pact_shorter_than_three_years_is_refused_in_italian_and_keeps_what_was_typed(app, login):
    manager = login(f.MANAGER)
    start = date(today().year, 1, 1)
    short_end = (earliest_end(start) - timedelta(days=1)).isoformat()
    page = publish(manager, start.isoformat(), short_end, expect=422).get_data(as_text=True)
    assert "Il patto di rete deve durare almeno tre anni" in page
    assert f"{earliest_end(start):%d/%m/%Y} o successiva" in page
    assert "La rete Tessere collabora per l&#39;inclusione." in page  # the text typed is still there
    assert f'value="{short_end}"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PactVersion)) == 0
        task = db.session.scalar(select(HumanTask).where(HumanTask.form_key == "pubblicazione_patto"))
        assert task.status == "open"  # nothing lost: the publication is still to do


def test_an_end_date_before_the_start_is_refused(app, login):
    manager = login(f.MANAGER)
    page = publish(manager, "2027-06-01", "2027-01-01", expect=422).get_data(as_text=True)
    assert "deve durare almeno tre anni" in page


def test_the_api_refuses_a_short_pact_too(app):
    """The same form key through the JSON API: 422 with the Italian message on the field."""
    from webapp.auth.services import create_token

    with app.app_context():
        token = create_token(db.session, db.session.scalar(select(User).where(User.email == f.MANAGER)))
        db.session.commit()
    client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
    started = client.post("/api/v1/processes/fase2_patto/instances", json={"data": {}}, headers=headers)
    assert started.status_code == 201
    tasks = client.get(f"/api/v1/tasks?instance_id={started.get_json()['id']}", headers=headers).get_json()
    (task,) = tasks["items"]
    assert task["form_key"] == "pubblicazione_patto"
    response = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"title": "Patto", "text": "Testo", "valid_from": "2026-01-01", "valid_until": "2027-12-31"}},
        headers=headers,
    )
    assert response.status_code == 422
    assert "almeno tre anni" in response.get_json()["errors"]["valid_until"][0]


def test_a_three_year_pact_is_published_and_every_member_is_told(app, login):
    manager = login(f.MANAGER)
    start = date(today().year, 1, 1)
    valid_from, valid_until = three_years_from(start)
    publish(manager, valid_from, valid_until)
    with app.app_context():
        version = db.session.scalar(select(PactVersion))
        assert (version.version, version.valid_from, version.valid_until) == (1, start, earliest_end(start))
        assert version.text == PACT_TEXT and version.published_by.email == f.MANAGER
        instance = db.session.get(ProcessInstance, version.instance_id)
        assert instance.process_key == "fase2_patto" and instance.status == "waiting"
        assert instance.next_timer_at is not None  # the reminders are scheduled
        assert "La rete Tessere collabora" not in instance.state_json  # the text lives in pact_version only
    told = {n.organization_id for n in notifications(app, "pact_published")}
    assert told == {organization_id(app, f.ORG_A_CF), organization_id(app, f.ORG_B_CF)}
    page = manager.get("/patto").get_data(as_text=True)
    assert "Versione 1, in vigore dal" in page and "Tre anni." in page


def test_a_new_version_starts_from_the_previous_text(app, login):
    manager = login(f.MANAGER)
    publish(manager, *three_years_from(date(today().year, 1, 1)))
    task_id = start_publication(manager)
    page = manager.get(f"/patto/pubblicazione/{task_id}").get_data(as_text=True)
    assert "La rete Tessere collabora" in page
    next_start = earliest_end(date(today().year, 1, 1)) + timedelta(days=1)
    assert f'value="{next_start.isoformat()}"' in page


def test_only_managers_publish(app, login):
    for email in (f.SOCIAL_WORKER, f.OPERATOR_A, f.ADMIN):
        assert login(email).post("/patto/nuova-versione").status_code == 404


# ------------------------------------------------------------------------------------------- signatures
def test_signing_records_who_when_and_which_version(app, login):
    version_id = publish_directly(app)
    operator = login(f.OPERATOR_A)
    before = datetime.now(UTC)
    response = operator.post("/patto/firma/1", data={"firma1-signer_role": "Presidente", "firma1-confirm": "y"})
    assert response.status_code == 302
    (signature,) = signatures(app)
    assert signature.pact_version_id == version_id
    assert signature.organization_id == organization_id(app, f.ORG_A_CF)
    assert signature.signer_name == "op.a" and signature.signer_role == "Presidente"
    assert signature.signed_by_id is not None and signature.withdrawn_at is None
    signed_at = signature.signed_at if signature.signed_at.tzinfo else signature.signed_at.replace(tzinfo=UTC)
    assert before - timedelta(seconds=1) <= signed_at <= datetime.now(UTC)
    page = operator.get("/patto").get_data(as_text=True)
    assert "Firmato" in page and "in qualità di Presidente" in page
    assert {n.kind for n in notifications(app, "pact_signed")} == {"pact_signed"}  # the manager is told


def test_signing_without_confirming_is_refused_in_italian_and_keeps_the_role(app, login):
    publish_directly(app)
    operator = login(f.OPERATOR_A)
    response = operator.post("/patto/firma/1", data={"firma1-signer_role": "Vicepresidente"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Per firmare devi confermare di aver letto il patto." in page
    assert 'value="Vicepresidente"' in page
    assert signatures(app) == []


def test_an_organization_signs_a_version_only_once(app, login):
    publish_directly(app)
    operator = login(f.OPERATOR_A)
    data = {"firma1-signer_role": "Presidente", "firma1-confirm": "y"}
    assert operator.post("/patto/firma/1", data=data).status_code == 302
    response = operator.post("/patto/firma/1", data=data)
    assert response.status_code == 409 and "ha già firmato la versione 1" in response.get_data(as_text=True)
    assert len(signatures(app)) == 1


def test_withdrawal_is_recorded_and_takes_the_offers_out_of_the_catalogue(app, login, client):
    version_id = publish_directly(app)
    sign_directly(app, f.OPERATOR_A, version_id)
    operator = login(f.OPERATOR_A)
    response = operator.post("/patto/ritiro/1", data={"ritiro1-reason": "Cambio del direttivo", "ritiro1-confirm": "y"})
    assert response.status_code == 302
    (signature,) = signatures(app)
    assert signature.withdrawn_at is not None and signature.withdrawn_by_name == "op.a"
    assert signature.withdrawal_reason == "Cambio del direttivo"
    with app.app_context():
        offers = db.session.scalars(select(Offer).where(Offer.organization_id == signature.organization_id)).all()
        assert offers and not any(o.active for o in offers)
    assert "Pacchi alimentari" not in client.get("/catalogo").get_data(as_text=True)
    assert "Mensa solidale" in client.get("/catalogo").get_data(as_text=True)  # other organizations stay

    # Signing again is a new signature: the history keeps both.
    operator.post("/patto/firma/1", data={"firma1-signer_role": "Presidente", "firma1-confirm": "y"})
    rows = signatures(app)
    assert len(rows) == 2 and rows[0].withdrawn_at is not None and rows[1].withdrawn_at is None
    manager_page = login(f.MANAGER).get("/patto").get_data(as_text=True)
    assert "Cambio del direttivo" in manager_page


def test_withdrawing_needs_a_confirmation(app, login):
    version_id = publish_directly(app)
    sign_directly(app, f.OPERATOR_A, version_id)
    response = login(f.OPERATOR_A).post("/patto/ritiro/1", data={"ritiro1-reason": "Motivo scritto"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Per ritirare la firma devi confermare." in page and "Motivo scritto" in page
    assert signatures(app)[0].withdrawn_at is None


def test_a_new_version_must_be_signed_again(app):
    first = publish_directly(app, valid_from=today() - timedelta(days=400))
    sign_directly(app, f.OPERATOR_A, first)
    with app.app_context():
        org_a = organization_id(app, f.ORG_A_CF)
        assert services.has_signed_pact_in_force(db.session, org_a, datetime.now(UTC))
    second = publish_directly(app)  # in force from today: version 2 wins
    with app.app_context():
        assert services.pact_in_force(db.session, today()).id == second
        assert not services.has_signed_pact_in_force(db.session, org_a, datetime.now(UTC))
    sign_directly(app, f.OPERATOR_A, second)
    with app.app_context():
        assert services.has_signed_pact_in_force(db.session, org_a, datetime.now(UTC))


def test_signer_names_are_for_the_manager_and_the_organization_itself(app, login):
    version_id = publish_directly(app)
    sign_directly(app, f.OPERATOR_A, version_id)
    other = login(f.OPERATOR_B).get("/patto").get_data(as_text=True)
    assert "Emporio Solidale di prova" in other  # which organizations signed is not secret
    assert "op.a" not in other  # who signed for them is
    assert "op.a" in login(f.MANAGER).get("/patto").get_data(as_text=True)


def test_only_organizations_sign(app, login):
    publish_directly(app)
    data = {"firma1-signer_role": "Responsabile", "firma1-confirm": "y"}
    for email in (f.MANAGER, f.SOCIAL_WORKER):
        assert login(email).post("/patto/firma/1", data=data).status_code == 404
    assert signatures(app) == []


# ------------------------------------------------------------------------------------------------ timers
def _published_by_process(app, login) -> PactVersion:
    manager = login(f.MANAGER)
    publish(manager, *three_years_from(today()))
    with app.app_context():
        version = db.session.scalar(select(PactVersion))
        db.session.expunge(version)
        return version


def test_the_expiry_reminder_fires_when_the_worker_runs(app, login, runner):
    version = _published_by_process(app, login)
    sign_directly(app, f.OPERATOR_A, version.id)
    reminder = services.reminder_moment(version)

    too_early = (reminder - timedelta(days=1)).isoformat()
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", too_early])
    assert result.exit_code == 0, result.output
    assert notifications(app, "pact_expiry_reminder") == []

    result = runner.invoke(args=["tessere", "worker", "--once", "--now", (reminder + timedelta(hours=1)).isoformat()])
    assert result.exit_code == 0, result.output
    reminded = notifications(app, "pact_expiry_reminder")
    manager_id = _user_id(app, f.MANAGER)
    assert {n.user_id for n in reminded if n.user_id} == {manager_id}
    assert {n.organization_id for n in reminded if n.organization_id} == {organization_id(app, f.ORG_A_CF)}
    assert all(f"scade il {version.valid_until:%d/%m/%Y}" in n.text for n in reminded)
    with app.app_context():
        stored = db.session.get(PactVersion, version.id)
        assert stored.expiry_reminded_at is not None and stored.expired_at is None
        assert db.session.get(ProcessInstance, stored.instance_id).status == "waiting"

    after_expiry = (services.expiry_moment(version) + timedelta(hours=1)).isoformat()
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", after_expiry])
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = db.session.get(PactVersion, version.id)
        assert stored.expired_at is not None
        assert db.session.get(ProcessInstance, stored.instance_id).status == "completed"
    assert notifications(app, "pact_expired")


def test_a_year_later_members_are_reminded_to_confirm_their_data(app, login, runner):
    version = _published_by_process(app, login)
    sign_directly(app, f.OPERATOR_A, version.id)
    a_year_later = (datetime.now(UTC) + timedelta(days=367)).isoformat()
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", a_year_later])
    assert result.exit_code == 0, result.output
    reminded = notifications(app, "verification_reminder")
    assert {n.organization_id for n in reminded} == {organization_id(app, f.ORG_A_CF)}  # signatories only
    # The next yearly reminder waits another year: running the worker again at the same moment adds nothing.
    runner.invoke(args=["tessere", "worker", "--once", "--now", a_year_later])
    assert len(notifications(app, "verification_reminder")) == 1


def test_a_superseded_version_sends_no_reminder(app, login, runner):
    version = _published_by_process(app, login)
    publish_directly(app, valid_from=version.valid_until + timedelta(days=1))  # the renewal is already out
    moment = (services.reminder_moment(version) + timedelta(hours=1)).isoformat()
    result = runner.invoke(args=["tessere", "worker", "--once", "--now", moment])
    assert result.exit_code == 0, result.output
    assert notifications(app, "pact_expiry_reminder") == []


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))
