"""Reads of a citizen's request (name, e-mail, phone) are logged like reads of cases and signals, and managers see
them in the access-log review."""

from __future__ import annotations

from sqlalchemy import select

from tests import factories as f
from tests.journey import open_task
from tests.test_api import token_for
from tests.test_citizen import ask_and_confirm
from webapp.auth.models import User
from webapp.extensions import db
from webapp.referrals.models import AccessLogEntry


def _entries(app) -> list[tuple[str, int | None, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(User.email, AccessLogEntry.citizen_request_id, AccessLogEntry.action, AccessLogEntry.channel)
            .join(User, User.id == AccessLogEntry.user_id)
            .where(AccessLogEntry.citizen_request_id.is_not(None))
            .order_by(AccessLogEntry.id)
        ).all()
        return [tuple(row) for row in rows]


def test_every_read_of_a_citizen_request_is_logged_and_reviewed_by_managers(app, client, login):
    request = ask_and_confirm(app, client)
    task = open_task(app, request.instance_id, "risposta_richiesta_cittadino")
    operator = login(f.OPERATOR_A)
    assert _entries(app) == []  # submitting and confirming is the citizen's own doing: nobody read anything yet

    assert operator.get(f"/richieste/{request.id}").status_code == 200
    assert operator.get(f"/attivita/{task.id}").status_code == 200
    headers = {"Authorization": f"Bearer {token_for(app, f.OPERATOR_A)}"}
    api = app.test_client().get(f"/api/v1/tasks/{task.id}", headers=headers)
    assert api.status_code == 200 and api.get_json()["context"]["citizen_request"]["name"] == "Lucia Ferri"

    assert _entries(app) == [
        (f.OPERATOR_A, request.id, "citizen_request:view", "web"),
        (f.OPERATOR_A, request.id, "task:risposta_richiesta_cittadino", "web"),
        (f.OPERATOR_A, request.id, "task:risposta_richiesta_cittadino", "api"),
    ]

    # another organization can neither read it nor leave a trace of having read it
    assert login(f.OPERATOR_B).get(f"/richieste/{request.id}").status_code == 404
    assert len(_entries(app)) == 3

    review = login(f.MANAGER).get("/registro-accessi").get_data(as_text=True)
    assert f"Richiesta del cittadino n. {request.id}" in review
    assert "Apertura della richiesta del cittadino" in review
    assert "Lucia Ferri" not in review  # the review names the record, not the person
