"""How many statements a task completion sends to the database (issue #8: each one is a round trip on PostgreSQL).

These pin the round trips the step was cut down to, so that a change that reads something twice, lazy-loads what
could come with a join, or reads the instance back after the commit shows up as a failing test (counts, never times).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event

from tests import factories as f
from tests.test_api import INTAKE_JSON, Api, choose_offer_data, only_task, start, token_for
from webapp.extensions import db


def traced(app, action: Callable[[], object]) -> list[str]:
    """The statements, BEGINs, COMMITs and ROLLBACKs `action` sends, in order."""
    log: list[str] = []
    with app.app_context():
        engine = db.engine

    def statement(conn, cursor, text, *args):
        log.append(" ".join(text.split()))

    listeners = [
        ("before_cursor_execute", statement),
        ("begin", lambda conn: log.append("BEGIN")),
        ("commit", lambda conn: log.append("COMMIT")),
        ("rollback", lambda conn: log.append("ROLLBACK")),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        action()
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    return log


def _completion(worker: Api, task_id: int, data: dict):
    def run():
        response = worker.post(f"/api/v1/tasks/{task_id}/complete", json={"data": data})
        assert response.status_code == 200, response.get_data(as_text=True)
        run.answer = response.get_json()

    return run


def test_an_api_completion_is_one_transaction_and_nothing_is_read_after_its_commit(app):
    worker = Api(app.test_client(), token_for(app, f.SOCIAL_WORKER))
    instance_id = start(worker)["id"]
    intake = only_task(worker, instance_id, "presa_in_carico")
    run = _completion(worker, intake["id"], INTAKE_JSON)

    log = traced(app, run)

    assert log[0] == "BEGIN" and log[-1] == "COMMIT", log
    assert log.count("BEGIN") == 1 and log.count("COMMIT") == 1 and "ROLLBACK" not in log, log
    # The answer still tells the new state: read inside the step's transaction, after the step's writes.
    answer = run.answer["instance"]
    assert answer["id"] == instance_id and answer["status"] == "running"
    assert [t["form_key"] for t in answer["open_tasks"]] == ["scelta_offerta"]
    assert answer["lock_version"] == 3  # created (1), the intake step (2)... and this step's UPDATE (3)


def test_the_token_the_task_and_its_instance_come_in_two_selects(app):
    worker = Api(app.test_client(), token_for(app, f.SOCIAL_WORKER))
    instance_id = start(worker)["id"]
    intake = only_task(worker, instance_id, "presa_in_carico")

    log = traced(app, _completion(worker, intake["id"], INTAKE_JSON))
    selects = [s for s in log if s.startswith("SELECT")]

    assert selects[0].startswith("SELECT api_token.id") and "user_account" in selects[0], selects
    assert selects[1].startswith("SELECT human_task.id") and "process_instance" in selects[1], selects
    assert not any(s.startswith("SELECT process_instance") for s in selects), selects  # no lazy load of the instance
    assert not any(s.startswith("SELECT user_account") for s in selects), selects  # the token's user came with it
    # The intake: token, task (+instance), person, case, task rows, journal, instance, the answer's open tasks.
    assert len([s for s in log if s not in ("BEGIN", "COMMIT")]) == 9, log


def test_the_choice_of_offer_reads_the_case_and_the_offers_once(app):
    worker = Api(app.test_client(), token_for(app, f.SOCIAL_WORKER))
    instance_id = start(worker)["id"]
    _completion(worker, only_task(worker, instance_id, "presa_in_carico")["id"], INTAKE_JSON)()
    choice = only_task(worker, instance_id, "scelta_offerta")

    log = traced(app, _completion(worker, choice["id"], choose_offer_data(app)))

    # The form needs the case (its target group) and the offers (the choices); the step's operation reads the same
    # case and the chosen offer from the session instead of asking the database again.
    selects = [s for s in log if s.startswith("SELECT")]
    assert len([s for s in selects if " FROM case_file" in s]) == 1, selects
    assert len([s for s in selects if " FROM offer " in s or s.endswith(" FROM offer")]) == 1, selects
