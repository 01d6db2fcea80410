"""Two people complete the same task at the same moment: exactly one wins, the other gets a clear conflict,
nothing is lost and nothing happens twice.

On PostgreSQL with real threads (each with its own app context, hence its own scoped session and connection): the
engine relies on the instance's `lock_version` (SQLAlchemy version_id_col), so the second UPDATE of the instance
waits for the first transaction, then matches no row and must become `TaskConflict` (HTTP 409 in the API).
On every database, a deterministic interleaving with two sessions shows the same outcome sequentially: the loser
works on a stale copy of the instance (stale lock_version) and must get the same conflict.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import partial

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine import TaskConflict
from engine.models import HumanTask, JournalEntry, ProcessInstance
from forms import formdata_from_json
from tests import factories as f
from tests.conftest import POSTGRES_URL
from webapp.auth.models import User
from webapp.auth.services import create_token
from webapp.extensions import db
from webapp.network.models import Offer, Organization
from webapp.referrals.models import Case, Notification, Referral
from webapp.tasks.services import complete_task, start_process
from webapp.workflow import get_engine

PROCESS = "percorso_beneficiario"
OFFER = "Pacchi alimentari"
OPERATOR_A2 = "op.a2@test.it"
ROUNDS = 20
BARRIER_TIMEOUT = 60  # seconds; only reached if a thread never arrives (then the round fails loudly)

INTAKE = {
    "first_name": "Mario",
    "last_name": "Rossi",
    "target_group": "poverta",
    "needs": ["generi_alimentari"],
    "consent_share": True,
}

on_postgresql = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs TESSERE_TEST_DATABASE_URL (PostgreSQL)"),
    pytest.mark.parametrize("database", ["postgresql"]),
]


def postgresql_only(test):
    for mark in reversed(on_postgresql):
        test = mark(test)
    return test


# ------------------------------------------------------------------------------------------------ set-up
def _user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def _open_task(session, instance_id: int, form_key: str) -> HumanTask:
    task = session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.form_key == form_key, HumanTask.status == "open"
        )
    )
    assert task is not None, f"no open {form_key} on instance {instance_id}"
    return task


def prepare_referrals(app, count: int, capacity: int = 1000) -> list[int]:
    """`count` cases referred to the offer; a second operator of organization A; returns the answer task ids."""
    with app.app_context():
        session, engine = db.session, get_engine()
        org_a = session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        if _user(session, OPERATOR_A2) is None:
            f.make_user(session, OPERATOR_A2, "association", org_a)
        session.execute(
            update(Offer).where(Offer.title == OFFER).values(capacity_total=capacity, capacity_available=capacity)
        )
        session.commit()
        worker = _user(session, f.SOCIAL_WORKER)
        offer_id = session.scalar(select(Offer.id).where(Offer.title == OFFER))
        task_ids = []
        for _ in range(count):
            instance_id = start_process(session, engine, worker, PROCESS, {}).id
            intake = _open_task(session, instance_id, "presa_in_carico").id
            complete_task(session, engine, worker, intake, formdata_from_json(INTAKE))
            choice = _open_task(session, instance_id, "scelta_offerta").id
            complete_task(
                session,
                engine,
                worker,
                choice,
                formdata_from_json({"offer_id": offer_id, "message": "Mattino.", "share_last_name": True}),
            )
            task_ids.append(_open_task(session, instance_id, "risposta_invio").id)
        db.session.remove()
        return task_ids


def answer(email: str) -> dict:
    """Both people accept; each writes its own note, so the survivor's data tells who won."""
    return {"answer": "accetta", "note": f"Risposta di {email}"}


@dataclass
class Outcome:
    kind: str  # "ok", "conflict" or "error"
    email: str
    detail: str = ""


def capacity(app) -> int:
    with app.app_context():
        value = db.session.scalar(select(Offer.capacity_available).where(Offer.title == OFFER))
        db.session.remove()
        return value


VERSION_CONFLICT = "Un'altra persona ha appena aggiornato questo caso"


def assert_one_winner_nothing_twice(
    app, task_id: int, outcomes: list[Outcome], capacity_before: int, via_version_check: bool = False
) -> None:
    """`via_version_check`: both people saw the task open, so the loser must have been stopped by the lock
    version (the engine's message), not by the simpler "no longer open" check."""
    kinds = sorted(o.kind for o in outcomes)
    assert kinds == ["conflict", "ok"], f"task {task_id}: expected one success and one conflict, got {outcomes}"
    winner = next(o for o in outcomes if o.kind == "ok")
    loser = next(o for o in outcomes if o.kind == "conflict")
    # A clear message in Italian for the person who lost.
    assert (
        "attività non è più aperta" in loser.detail
        or "aggiornato questo caso" in loser.detail
        or ("aggiornato da un'altra persona" in loser.detail)
        or "occupato da un'altra operazione" in loser.detail
    ), loser.detail
    if via_version_check:
        assert VERSION_CONFLICT in loser.detail, loser.detail

    with app.app_context():
        session = db.session
        task = session.get(HumanTask, task_id)
        winner_user = _user(session, winner.email)
        assert task.status == "completed" and task.completed_by_id == winner_user.id
        completed_entries = session.scalars(
            select(JournalEntry).where(
                JournalEntry.instance_id == task.instance_id,
                JournalEntry.kind == "task_completed",
                JournalEntry.element_id == task.element_id,
            )
        ).all()
        assert len(completed_entries) == 1, [e.actor_label for e in completed_entries]
        assert completed_entries[0].actor_id == winner_user.id
        assert completed_entries[0].details["data"]["note"] == answer(winner.email)["note"]
        operations = session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(
                JournalEntry.instance_id == task.instance_id,
                JournalEntry.kind == "operation",
                JournalEntry.element_id == "registra_risposta",
            )
        )
        assert operations == 1

        # The domain effect happened once, with the winner's data.
        case = session.scalar(select(Case).where(Case.instance_id == task.instance_id))
        referral = session.scalar(select(Referral).where(Referral.case_id == case.id))
        assert referral.status == "accettato" and referral.answered_by_id == winner_user.id
        assert referral.answer_note == answer(winner.email)["note"]
        accepted_notices = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.case_id == case.id, Notification.kind == "referral_accettato")
        )
        assert accepted_notices == 1
        # The process moved on exactly once: one open follow-up task, none left for the answer.
        open_rows = session.scalars(
            select(HumanTask.form_key).where(HumanTask.instance_id == task.instance_id, HumanTask.status == "open")
        ).all()
        assert open_rows == ["esito_intervento"]
        instance = session.get(ProcessInstance, task.instance_id)
        assert instance.status == "running"
        db.session.remove()
    assert capacity(app) == capacity_before - 1


# ------------------------------------------------------------------------------ real threads on PostgreSQL
def _complete_in_thread(app, email, task_id, start_line: threading.Barrier, outcomes, index) -> None:
    with app.app_context():
        try:
            user = _user(db.session, email)
            formdata = formdata_from_json(answer(email))
            db.session.commit()  # end the read transaction: both start from a clean slate
            start_line.wait(timeout=BARRIER_TIMEOUT)
            complete_task(db.session, get_engine(), user, task_id, formdata)
            outcomes[index] = Outcome("ok", email)
        except TaskConflict as exc:
            outcomes[index] = Outcome("conflict", email, str(exc))
        except BaseException as exc:  # noqa: BLE001 - reported precisely by the assertion
            outcomes[index] = Outcome("error", email, f"{type(exc).__module__}.{type(exc).__name__}: {exc}")
        finally:
            db.session.remove()


def _race(app, task_id: int, people=(f.OPERATOR_A, OPERATOR_A2), target=_complete_in_thread) -> list[Outcome]:
    start_line = threading.Barrier(len(people), timeout=BARRIER_TIMEOUT)
    outcomes: list[Outcome | None] = [None] * len(people)
    threads = [
        threading.Thread(target=target, args=(app, email, task_id, start_line, outcomes, i), daemon=True)
        for i, email in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 2)
        assert not thread.is_alive(), "a completing thread hung (lock wait or deadlock?)"
    return [o if o is not None else Outcome("error", "?", "thread recorded nothing") for o in outcomes]


class _BothInside:
    """Makes both threads load the workflow state before either may write (wraps Engine._load in tests only).

    Without it the race is real but one thread may finish before the other starts reading; with it every round
    exercises the version check itself: both saw the task open and both run the step.
    """

    def __init__(self, engine, parties: int):
        self.original = engine._load
        self.barrier: threading.Barrier | None = None
        self.parties = parties

    def arm(self) -> None:
        self.barrier = threading.Barrier(self.parties, timeout=BARRIER_TIMEOUT)

    def __call__(self, *args, **kwargs):
        workflow = self.original(*args, **kwargs)
        if self.barrier is not None and threading.current_thread() is not threading.main_thread():
            self.barrier.wait()
        return workflow


@postgresql_only
@pytest.mark.parametrize("overlap", ["natural", "forced"])
def test_two_people_accept_the_same_referral_at_once_on_postgresql(app, monkeypatch, overlap):
    task_ids = prepare_referrals(app, ROUNDS)
    hook = None
    if overlap == "forced":
        with app.app_context():
            engine = get_engine()
        hook = _BothInside(engine, parties=2)
        monkeypatch.setattr(engine, "_load", hook)
    for task_id in task_ids:
        before = capacity(app)
        if hook is not None:
            hook.arm()
        outcomes = _race(app, task_id)
        assert_one_winner_nothing_twice(app, task_id, outcomes, before, via_version_check=hook is not None)


def _post_in_thread(tokens, app, email, task_id, start_line: threading.Barrier, outcomes, index) -> None:
    """The same race through the JSON API: each thread its own test client (each request its own app context)."""
    try:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {tokens[email]}"}
        start_line.wait(timeout=BARRIER_TIMEOUT)
        response = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json={"data": answer(email)})
        body = response.get_json(silent=True) or {}
        if response.status_code == 200:
            outcomes[index] = Outcome("ok", email)
        elif response.status_code == 409:
            outcomes[index] = Outcome("conflict", email, body.get("error", ""))
        else:
            outcomes[index] = Outcome("error", email, f"HTTP {response.status_code}: {response.get_data(as_text=True)}")
    except BaseException as exc:  # noqa: BLE001
        outcomes[index] = Outcome("error", email, f"{type(exc).__module__}.{type(exc).__name__}: {exc}")


@postgresql_only
def test_two_people_accept_the_same_referral_at_once_through_the_api(app):
    task_ids = prepare_referrals(app, ROUNDS // 2)
    with app.app_context():
        tokens = {email: create_token(db.session, _user(db.session, email)) for email in (f.OPERATOR_A, OPERATOR_A2)}
        db.session.commit()
        db.session.remove()
    for task_id in task_ids:
        before = capacity(app)
        outcomes = _race(app, task_id, target=partial(_post_in_thread, tokens))
        assert_one_winner_nothing_twice(app, task_id, outcomes, before)


@postgresql_only
def test_the_last_place_goes_to_one_referral_only(app):
    """Two different referrals to an offer with one place left, accepted at once by two operators: one gets the
    place, the other is refused with the Italian message (capacity never below zero)."""
    task_ids = prepare_referrals(app, 2, capacity=5)
    with app.app_context():
        db.session.execute(update(Offer).where(Offer.title == OFFER).values(capacity_available=1))
        db.session.commit()
        db.session.remove()
    start_line = threading.Barrier(2, timeout=BARRIER_TIMEOUT)
    results: list[str | None] = [None, None]

    def accept(index: int, email: str, task_id: int) -> None:
        with app.app_context():
            try:
                user = _user(db.session, email)
                db.session.commit()
                start_line.wait()
                complete_task(db.session, get_engine(), user, task_id, formdata_from_json(answer(email)))
                results[index] = "ok"
            except Exception as exc:  # noqa: BLE001
                results[index] = f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=accept, args=(0, f.OPERATOR_A, task_ids[0]), daemon=True),
        threading.Thread(target=accept, args=(1, OPERATOR_A2, task_ids[1]), daemon=True),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BARRIER_TIMEOUT * 2)
        assert not thread.is_alive()
    assert results.count("ok") == 1, results
    refused = next(r for r in results if r != "ok")
    assert refused.startswith("OperationRefused") and "Non ci sono più posti disponibili" in refused, refused
    assert capacity(app) == 0
    with app.app_context():
        statuses = sorted(db.session.scalars(select(Referral.status)))
        assert statuses == ["accettato", "inviato"]
        db.session.remove()


# ------------------------------------------------------------- the same outcome, sequentially, on every database
def test_a_step_on_a_stale_copy_of_the_case_is_a_conflict_and_nothing_happens_twice(app):
    """Both people load the task while it is open (two sessions); the first completes and commits; the second
    then completes from its stale copy (stale lock_version, stale state). It must get TaskConflict, and the
    effects of the first must be the only ones."""
    (task_id,) = prepare_referrals(app, 1)
    before = capacity(app)
    with app.app_context():
        engine = get_engine()
        first, second = Session(db.engine), Session(db.engine)
        try:
            user_first, user_second = _user(first, f.OPERATOR_A), _user(second, OPERATOR_A2)
            # The second person opens the task: its session now holds the open task and lock_version n.
            stale_task = second.get(HumanTask, task_id)
            stale_version = stale_task.instance.lock_version
            assert stale_task.status == "open" and stale_task.instance.state_json

            complete_task(first, engine, user_first, task_id, formdata_from_json(answer(f.OPERATOR_A)))
            assert first.get(ProcessInstance, stale_task.instance_id).lock_version != stale_version

            with pytest.raises(TaskConflict) as conflict:
                complete_task(second, engine, user_second, task_id, formdata_from_json(answer(OPERATOR_A2)))
            outcomes = [Outcome("ok", f.OPERATOR_A), Outcome("conflict", OPERATOR_A2, str(conflict.value))]
        finally:
            first.close()
            second.close()
    assert_one_winner_nothing_twice(app, task_id, outcomes, before, via_version_check=True)


def test_an_explicit_stale_lock_version_is_a_conflict_without_effects(app):
    """The API/web form sends the lock_version it showed; a stale one is refused before anything runs."""
    (task_id,) = prepare_referrals(app, 1)
    before = capacity(app)
    with app.app_context():
        task = db.session.get(HumanTask, task_id)
        current = task.instance.lock_version
        user = _user(db.session, f.OPERATOR_A)
        with pytest.raises(TaskConflict, match="aggiornato da un'altra persona"):
            complete_task(
                db.session,
                get_engine(),
                user,
                task_id,
                formdata_from_json(answer(f.OPERATOR_A)),
                expected_lock_version=current - 1,
            )
        assert db.session.get(HumanTask, task_id).status == "open"
        db.session.remove()
    assert capacity(app) == before
    with app.app_context():
        complete_task(
            db.session,
            get_engine(),
            _user(db.session, OPERATOR_A2),
            task_id,
            formdata_from_json(answer(OPERATOR_A2)),
            expected_lock_version=current,
        )
        db.session.remove()
    outcomes = [Outcome("ok", OPERATOR_A2), Outcome("conflict", f.OPERATOR_A, "aggiornato da un'altra persona")]
    assert_one_winner_nothing_twice(app, task_id, outcomes, before)
