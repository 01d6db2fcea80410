"""In-app notifications: the bell's unread count in the header, the list, reading per person (organization-wide
notifications are read by each operator on their own), and where a notification leads."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.conftest import make_app
from tests.journey import open_task, send_to_offer, start_case, submit
from webapp.extensions import db
from webapp.network.models import Organization
from webapp.referrals.models import Notification, Referral

OPERATOR_A2 = "op.a2@test.it"


@pytest.fixture
def app(database, tmp_path):
    app = make_app(database, tmp_path, TESSERE_MAIL_DIR=str(tmp_path / "mail"))
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        f.make_user(db.session, OPERATOR_A2, "association", organization)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def bell(client) -> int:
    """The unread count the header shows to this person (0 when the badge is absent)."""
    page = client.get("/attivita").get_data(as_text=True)
    assert 'href="/notifiche"' in page and "Notifiche:" in page
    found = re.search(r'id="notifiche-da-leggere">(\d+)<', page)
    return int(found.group(1)) if found else 0


def _notification_id(app, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Notification.id).where(Notification.kind == kind))


def test_a_new_referral_rings_the_bell_of_each_operator_of_the_organization_who_read_it_on_their_own(app, login):
    worker = login(f.SOCIAL_WORKER)
    operator, colleague, other = login(f.OPERATOR_A), login(OPERATOR_A2), login(f.OPERATOR_B)
    assert bell(operator) == 0
    send_to_offer(app, worker, start_case(app, worker), "Pacchi alimentari")
    assert (bell(operator), bell(colleague), bell(other)) == (1, 1, 0)

    listing = operator.get("/notifiche").get_data(as_text=True)
    assert "Nuovo invio" in listing and "per l&#39;offerta «Pacchi alimentari»" in listing and "Da leggere" in listing
    notification_id = _notification_id(app, "referral_received")
    with app.app_context():
        referral_id = db.session.scalar(select(Referral.id))
    response = operator.post(f"/notifiche/{notification_id}/apri")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/invii/{referral_id}")

    assert (bell(operator), bell(colleague)) == (0, 1)  # read by one operator, still new for the other
    assert other.post(f"/notifiche/{notification_id}/apri").status_code == 404  # not addressed to organization B
    assert "Pacchi alimentari" not in other.get("/notifiche").get_data(as_text=True)


def test_the_social_worker_is_told_of_the_answer_and_the_notification_opens_the_case(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    instance_id = start_case(app, worker)
    send_to_offer(app, worker, instance_id, "Pacchi alimentari")
    assert bell(worker) == 0
    submit(operator, open_task(app, instance_id, "risposta_invio").id, {"answer": "accetta"})
    assert bell(worker) == 1
    assert bell(login(f.SOCIAL_WORKER_2)) == 0  # another social worker's case is not theirs

    notification_id = _notification_id(app, "referral_accettato")
    with app.app_context():
        case_id = db.session.scalar(select(Notification.case_id).where(Notification.id == notification_id))
    response = worker.post(f"/notifiche/{notification_id}/apri")
    assert response.headers["Location"].endswith(f"/casi/{case_id}")
    assert bell(worker) == 0
    assert worker.post(f"/notifiche/{notification_id}/apri").status_code == 302  # reading twice is harmless


def test_mark_all_as_read_empties_the_bell_and_keeps_the_history(app, login):
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    for _ in range(2):
        send_to_offer(app, worker, start_case(app, worker), "Pacchi alimentari")
    assert bell(operator) == 2
    response = operator.post("/notifiche/lette", follow_redirects=True)
    assert "Tutte le notifiche sono segnate come lette." in response.get_data(as_text=True)
    assert bell(operator) == 0
    listing = operator.get("/notifiche").get_data(as_text=True)
    assert listing.count("Nuovo invio n.") == 2 and "Da leggere" not in listing
    assert "Segna tutte come lette" not in listing


def test_notification_text_is_escaped(app, login):
    title = "<img src=x onerror=alert(1)> Spesa"
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        f.make_offer(db.session, organization, title, ["poverta"], ["generi_alimentari"])
        db.session.commit()
    worker, operator = login(f.SOCIAL_WORKER), login(f.OPERATOR_A)
    send_to_offer(app, worker, start_case(app, worker), title)
    listing = operator.get("/notifiche").get_data(as_text=True)
    assert "<img src=x" not in listing and "&lt;img src=x onerror=alert(1)&gt; Spesa" in listing


def test_the_notification_pages_need_a_login(client):
    assert client.get("/notifiche").status_code == 302
    assert client.post("/notifiche/lette").status_code == 302
    page = client.get("/catalogo").get_data(as_text=True)
    assert 'href="/notifiche"' not in page  # no bell for visitors
