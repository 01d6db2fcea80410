"""Drafts of long forms: «Salva bozza» keeps what was typed without validating it, the form comes back with it,
a sent form deletes it, nobody but the author ever sees it, and retention deletes it after 30 days."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from engine.models import HumanTask, JournalEntry, ProcessInstance
from tests import factories as f
from tests.journey import INTAKE, open_task, send_to_offer, start_case
from tests.test_offers import signed
from webapp.auth.models import User
from webapp.drafts import services
from webapp.drafts.models import FormDraft
from webapp.extensions import db
from webapp.network.models import Organization
from webapp.referrals.models import AccessLogEntry, Case

HALF_INTAKE = {"first_name": "Giulietta", "notes": "Prima riga\r\nseconda riga", "target_group": "poverta"}


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _drafts(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(d.key, u) for d, u in db.session.execute(select(FormDraft, User.email).join(User))]


def _lock_version(app, instance_id: int) -> int:
    with app.app_context():
        return db.session.get(ProcessInstance, instance_id).lock_version


def _user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


# ------------------------------------------------------------------ the bounds of what is stored
def test_stored_draft_drops_tokens_and_control_characters_and_is_bounded():
    formdata = MultiDict(
        [
            ("csrf_token", "segreto"),
            ("lock_version", "3"),
            ("action", "draft"),
            ("first_name", "Ma\x00ri\x1bo"),
            ("notes", "riga uno\r\nriga due\tcon tab" + "x" * 10_000),
            ("needs", "mensa"),
            ("needs", "riuso"),
            *[(f"campo{i}", "v") for i in range(200)],
        ]
    )
    data = services.bounded_form_data(formdata)
    assert "csrf_token" not in data and "lock_version" not in data and "action" not in data
    assert data["first_name"] == ["Mario"]
    assert data["notes"][0].startswith("riga uno\nriga due\tcon tab")
    assert len(data["notes"][0]) == services.MAX_VALUE_LENGTH
    assert data["needs"] == ["mensa", "riuso"]
    assert len(data) == services.MAX_FIELDS


# ------------------------------------------------------------------ save, restore, send, discard
def test_saving_half_an_intake_keeps_it_without_validating_and_brings_it_back(app, login):
    client = login(f.SOCIAL_WORKER)
    response = client.post("/casi/nuovo", data={**HALF_INTAKE, "action": "draft"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/casi/nuovo")
    assert _count(app, Case) == 0 and _count(app, ProcessInstance) == 0  # nothing started, nothing journaled

    page = client.get("/casi/nuovo").get_data(as_text=True)
    assert re.search(r"Bozza salvata alle \d{2}:\d{2}\. La vedi solo tu\.", page)
    assert 'role="status"' in page
    assert 'value="Giulietta"' in page and "Prima riga\nseconda riga" in page
    assert "Bozza ripresa" in page and "Scarta la bozza" in page
    assert "Campo obbligatorio." not in page  # a draft is never validated
    assert re.search(r'<option[^>]*value="poverta"[^>]*selected|<option selected[^>]*value="poverta"', page)

    # opening it again later: the draft is still there, with its notice and no new confirmation
    again = client.get("/casi/nuovo").get_data(as_text=True)
    assert "Bozza ripresa" in again and 'value="Giulietta"' in again and "Bozza salvata alle" not in again


def test_sending_the_form_deletes_its_draft(app, login):
    client = login(f.SOCIAL_WORKER)
    client.post("/casi/nuovo", data={**HALF_INTAKE, "action": "draft"})
    assert _drafts(app) == [("presa_in_carico", f.SOCIAL_WORKER)]
    start_case(app, client, {**INTAKE, "first_name": "Giulietta"})
    assert _drafts(app) == []
    page = client.get("/casi/nuovo").get_data(as_text=True)
    assert "Bozza ripresa" not in page and 'value="Giulietta"' not in page


def test_an_invalid_submit_keeps_the_draft(app, login):
    client = login(f.SOCIAL_WORKER)
    client.post("/casi/nuovo", data={**HALF_INTAKE, "action": "draft"})
    assert client.post("/casi/nuovo", data=HALF_INTAKE).status_code == 422
    assert _drafts(app) == [("presa_in_carico", f.SOCIAL_WORKER)]


def test_discarding_the_draft_empties_the_form(app, login):
    client = login(f.SOCIAL_WORKER)
    client.post("/casi/nuovo", data={**HALF_INTAKE, "action": "draft"})
    response = client.post("/casi/nuovo", data={"action": "discard_draft"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Bozza scartata." in page and 'value="Giulietta"' not in page and "Bozza ripresa" not in page
    assert _drafts(app) == []


def test_saving_again_replaces_the_draft(app, login):
    client = login(f.SOCIAL_WORKER)
    client.post("/casi/nuovo", data={**HALF_INTAKE, "action": "draft"})
    client.post("/casi/nuovo", data={"first_name": "Ottavia", "action": "draft"})
    assert _drafts(app) == [("presa_in_carico", f.SOCIAL_WORKER)]
    page = client.get("/casi/nuovo").get_data(as_text=True)
    assert 'value="Ottavia"' in page and "Giulietta" not in page


def test_task_form_draft_is_restored_then_deleted_when_the_task_is_completed(app, login):
    social_worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, social_worker)
    choice = open_task(app, instance_id, "scelta_offerta")
    lock_version = _lock_version(app, instance_id)
    response = social_worker.post(
        f"/attivita/{choice.id}", data={"message": "Chiamare dopo le 15, segno-bozza.", "action": "draft"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attivita/{choice.id}")
    assert _lock_version(app, instance_id) == lock_version  # the engine was not touched
    page = social_worker.get(f"/attivita/{choice.id}").get_data(as_text=True)
    assert "Chiamare dopo le 15, segno-bozza." in page and "Bozza ripresa" in page
    send_to_offer(app, social_worker, instance_id, "Pacchi alimentari")
    assert _drafts(app) == []


def test_offer_edit_draft_comes_back_instead_of_the_saved_offer(app, login):
    signed(app, f.OPERATOR_A)
    operator = login(f.OPERATOR_A)
    with app.app_context():
        org_a = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        offer_id = org_a.offers[0].id
    response = operator.post(f"/le-nostre-offerte/{offer_id}", data={"title": "Titolo in bozza", "action": "draft"})
    assert response.status_code == 302
    page = operator.get(f"/le-nostre-offerte/{offer_id}").get_data(as_text=True)
    assert 'value="Titolo in bozza"' in page and "Bozza ripresa" in page
    assert 'value="draft"' in page and "Salva bozza" in page


def test_signal_draft_is_saved_and_restored(app, login):
    operator = login(f.OPERATOR_A)
    response = operator.post("/segnalazioni/nuova", data={"first_name": "Nives", "action": "draft"})
    assert response.status_code == 302
    page = operator.get("/segnalazioni/nuova").get_data(as_text=True)
    assert 'value="Nives"' in page and "Bozza ripresa" in page


# ------------------------------------------------------------------ drafts are private, and only drafts
def test_another_social_worker_never_sees_the_intake_draft(app, login):
    login(f.SOCIAL_WORKER).post("/casi/nuovo", data={**HALF_INTAKE, "action": "draft"})
    page = login(f.SOCIAL_WORKER_2).get("/casi/nuovo").get_data(as_text=True)
    assert "Giulietta" not in page and "Bozza ripresa" not in page
    with app.app_context():
        assert services.load_draft(db.session, _user_id(app, f.SOCIAL_WORKER_2), "presa_in_carico") is None
        assert services.load_draft(db.session, _user_id(app, f.SOCIAL_WORKER), "presa_in_carico") is not None


def test_a_task_draft_is_seen_by_its_author_only_not_by_colleagues_nor_managers(app, login):
    with app.app_context():
        org_a = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        f.make_user(db.session, "op.a2@test.it", "association", org_a)
        db.session.commit()
    social_worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, social_worker)
    send_to_offer(app, social_worker, instance_id, "Pacchi alimentari")
    answer = open_task(app, instance_id, "risposta_invio")
    journal_before, lock_version = _count(app, JournalEntry), _lock_version(app, instance_id)

    author = login(f.OPERATOR_A)
    marker = "Nota-riservata-della-bozza"
    assert author.post(f"/attivita/{answer.id}", data={"note": marker, "action": "draft"}).status_code == 302
    assert marker in author.get(f"/attivita/{answer.id}").get_data(as_text=True)

    colleague_page = login("op.a2@test.it").get(f"/attivita/{answer.id}")
    assert colleague_page.status_code == 200  # the same task, visible to the whole organization...
    assert marker not in colleague_page.get_data(as_text=True)  # ...but not the author's draft
    assert "Bozza ripresa" not in colleague_page.get_data(as_text=True)
    manager = login(f.MANAGER)
    for path in (f"/attivita/{answer.id}", f"/casi/{_case_id(app, instance_id)}"):
        assert marker not in manager.get(path).get_data(as_text=True)
    assert marker not in social_worker.get(f"/casi/{_case_id(app, instance_id)}").get_data(as_text=True)

    # never in the journal nor in the process data: the engine was not touched
    assert _count(app, JournalEntry) == journal_before
    assert _lock_version(app, instance_id) == lock_version
    with app.app_context():
        assert all(marker not in str(task.__dict__) for task in db.session.scalars(select(HumanTask)))


def _case_id(app, instance_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Case.id).where(Case.instance_id == instance_id))


def test_a_restricted_intake_draft_is_the_authors_own_data_no_access_log(app, login):
    client = login(f.SOCIAL_WORKER)
    before = _count(app, AccessLogEntry)
    client.post("/casi/nuovo", data={"first_name": "Riservata", "target_group": "violenza_genere", "action": "draft"})
    assert 'value="Riservata"' in client.get("/casi/nuovo").get_data(as_text=True)
    assert _count(app, AccessLogEntry) == before


# ------------------------------------------------------------------ retention
def test_retention_deletes_drafts_older_than_30_days(app, runner):
    now = datetime(2026, 12, 31, 9, 0, tzinfo=UTC)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == f.SOCIAL_WORKER))
        services.save_draft(db.session, user_id, "vecchia", MultiDict({"a": "1"}), now=now - timedelta(days=31))
        services.save_draft(db.session, user_id, "recente", MultiDict({"a": "2"}), now=now - timedelta(days=29))
        db.session.commit()
    dry = runner.invoke(args=["tessere", "retention", "--dry-run", "--now", now.isoformat()])
    assert dry.exit_code == 0, dry.output
    assert "Bozze di moduli salvate da più di 30 giorni da eliminare: 1" in dry.output
    assert sorted(k for k, _ in _drafts(app)) == ["recente", "vecchia"]
    result = runner.invoke(args=["tessere", "retention", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Bozze di moduli salvate da più di 30 giorni eliminate: 1" in result.output
    assert [k for k, _ in _drafts(app)] == ["recente"]


def test_the_pages_autosave_is_answered_in_json_without_a_flash_message(app, login):
    client = login(f.SOCIAL_WORKER)
    response = client.post(
        "/casi/nuovo", data={"first_name": "Automatica", "action": "draft"}, headers={"X-Tessere-Autosave": "1"}
    )
    assert response.status_code == 200 and response.is_json
    assert re.fullmatch(r"Bozza salvata automaticamente alle \d{2}:\d{2}\.", response.json["message"])
    page = client.get("/casi/nuovo").get_data(as_text=True)
    assert 'value="Automatica"' in page and "Bozza salvata alle" not in page  # no flash left waiting
    assert 'src="/static/js/drafts.js"' in page and 'id="draft-autosave-status" role="status"' in page
