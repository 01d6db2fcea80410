"""Nothing lost: a step that fails halfway leaves the database exactly as before the step.

Faults are injected where they hurt most: an operation that raises after writing domain rows, a failure after the
engine ran and wrote the state but before the commit, and a process killed in the middle of a step (a real
`os._exit` in a child process, on the same database). After each, every table is compared row by row with its
snapshot from before the step, and `flask tessere check` finds every instance consistent with its task rows and
journal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import Engine
from engine.models import HumanTask
from forms import formdata_from_json
from tests import factories as f
from tests.journey import open_task, send_to_offer, start_case
from webapp.auth.models import User
from webapp.extensions import db
from webapp.tasks.services import complete_task
from webapp.workflow import get_engine

ROOT = Path(__file__).resolve().parents[1]


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with app.app_context():
        tables = {}
        with db.engine.connect() as connection:
            for table in sorted(db.metadata.tables.values(), key=lambda t: t.name):
                order = list(table.primary_key.columns) or list(table.columns)
                tables[table.name] = [tuple(row) for row in connection.execute(table.select().order_by(*order))]
        return tables


def _check(runner) -> None:
    result = runner.invoke(args=["tessere", "check"])
    assert result.exit_code == 0, result.output
    verify = runner.invoke(args=["tessere", "audit", "verify"])
    assert verify.exit_code == 0, verify.output


def _waiting_referral(app, login) -> int:
    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    return open_task(app, instance_id, "risposta_invio").id


def _answer(app, task_id: int) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == f.OPERATOR_A))
        complete_task(db.session, get_engine(), user, task_id, formdata_from_json({"answer": "accetta"}))


def test_an_operation_that_raises_after_writing_leaves_everything_as_before(app, login, runner, monkeypatch):
    task_id = _waiting_referral(app, login)
    before = snapshot(app)
    engine = app.extensions["tessere_engine"]
    registered = engine.operations.get("referral.record_answer")

    def half_done(ctx):
        registered.function(ctx)  # reserves a place, changes the referral, queues e-mail...
        raise RuntimeError("guasto simulato dopo le scritture")

    monkeypatch.setitem(
        engine.operations._operations,
        "referral.record_answer",
        registered.__class__(registered.name, registered.label, half_done),
    )
    with pytest.raises(Exception, match="guasto simulato"):
        _answer(app, task_id)
    assert snapshot(app) == before
    _check(runner)
    monkeypatch.undo()
    _answer(app, task_id)  # once the cause is gone the same step succeeds
    _check(runner)


def test_a_failure_after_the_engine_saved_the_state_rolls_the_whole_step_back(app, login, runner, monkeypatch):
    task_id = _waiting_referral(app, login)
    before = snapshot(app)
    original = Engine._write_step

    def write_then_fail(self, session, instance, workflow, actor, now):
        original(self, session, instance, workflow, actor, now)
        session.flush()
        raise OSError("disco pieno")

    monkeypatch.setattr(Engine, "_write_step", write_then_fail)
    with pytest.raises(OSError):
        _answer(app, task_id)
    assert snapshot(app) == before
    monkeypatch.undo()
    _check(runner)


def test_a_failing_step_through_the_web_answers_with_a_page_and_loses_nothing(app, login, runner, monkeypatch):
    task_id = _waiting_referral(app, login)
    before = snapshot(app)
    original = Engine._write_step

    def write_then_fail(self, session, instance, workflow, actor, now):
        original(self, session, instance, workflow, actor, now)
        raise RuntimeError("guasto")

    monkeypatch.setattr(Engine, "_write_step", write_then_fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = login(f.OPERATOR_A).post(f"/attivita/{task_id}", data={"answer": "accetta"})
    assert response.status_code == 500
    monkeypatch.undo()
    after = snapshot(app)
    # The only row written is the incident for administrators, in its own transaction after the rollback
    # (tests/test_incidents_requests.py checks its content).
    assert len(after.pop("request_incident")) == 1 and before.pop("request_incident") == []
    assert after == before
    _check(runner)


CHILD = r"""
import os, sys
from sqlalchemy import select
from webapp import create_app
from webapp.extensions import db
from forms import formdata_from_json
from webapp.auth.models import User
from webapp.tasks.services import complete_task
from webapp.workflow import get_engine

url, schema, task_id, email, where = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True}
if schema != "-":
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": f"-csearch_path={schema}"}}
app = create_app(config)
with app.app_context():
    session = db.session
    if where == "commit":
        real_commit = session.commit
        def die(*a, **k):
            session.flush()
            os._exit(9)  # killed after everything was written, before the commit
        session.commit = die
    else:
        from engine import Engine
        original = Engine._write_step
        def die_in_step(self, *args):
            original(self, *args)
            os._exit(9)  # killed in the middle of writing the step
        Engine._write_step = die_in_step
    user = session.scalar(select(User).where(User.email == email))
    complete_task(session, get_engine(), user, task_id, formdata_from_json({"answer": "accetta"}))
    os._exit(0)
"""


@pytest.mark.parametrize("where", ["step", "commit"])
def test_a_process_killed_mid_step_leaves_the_database_as_before(app, login, runner, where, database):
    task_id = _waiting_referral(app, login)
    before = snapshot(app)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    schema = "-"
    if database == "postgresql":
        from tests.conftest import POSTGRES_SCHEMA

        schema = POSTGRES_SCHEMA
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # the child must not wait for our connections
    child = subprocess.run(
        [sys.executable, "-c", CHILD, url, schema, str(task_id), f.OPERATOR_A, where],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 9, child.stderr[-3000:]
    assert snapshot(app) == before
    _check(runner)
    with app.app_context():
        assert db.session.get(HumanTask, task_id).status == "open"  # the step can simply be done again
    _answer(app, task_id)
    _check(runner)
