"""The public scheda against bots and lost links: «ho perso il link» (no enumeration, throttled), the honeypot,
the minimum fill time and the per-address limit on submissions. A refused bot stores nothing and sends nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import make_app
from tests.test_membership import SCHEDA, link_path, mails, post_scheda, submit_new
from webapp.extensions import db
from webapp.membership import antispam
from webapp.membership.models import MembershipApplication
from webapp.notifications.models import OutboxMessage

NEUTRAL = "Non è stato possibile registrare la scheda"
CONFIRMATION = "ti abbiamo appena inviato il link per riprenderla"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def started_field(page: str) -> str:
    match = re.search(r'name="' + antispam.STARTED_FIELD + r'" value="([^"]+)"', page)
    assert match, "the public scheda carries no start timestamp"
    return match.group(1)


@pytest.fixture
def strict_app(database, tmp_path):
    """The app as in production: minimum fill time and rate limits on (tests turn them off by default)."""
    app = make_app(database, tmp_path, TESSERE_SCHEDA_MIN_SECONDS=3, RATELIMIT_ENABLED=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# ------------------------------------------------------------------ ho perso il link
def _draft(client, email: str = SCHEDA["contact_email"]) -> str:
    response = post_scheda(
        client, "/aderisci/scheda", {"name": "Il Melograno APS", "contact_email": email}, "salva", 302
    )
    return response.headers["Location"]


def test_the_lost_link_page_is_linked_from_the_call_and_the_scheda(client):
    assert "/aderisci/link-perso" in client.get("/aderisci").get_data(as_text=True)
    assert "/aderisci/link-perso" in client.get("/aderisci/scheda").get_data(as_text=True)
    page = client.get("/aderisci/link-perso")
    assert page.status_code == 200 and "E-mail del referente" in page.get_data(as_text=True)


def test_a_lost_draft_link_is_sent_again_to_the_referent(app, client):
    draft_path = _draft(client)
    response = client.post("/aderisci/link-perso", data={"email": "  Luca.Verdi@Melograno-APS.it "})
    assert response.status_code == 200 and CONFIRMATION in response.get_data(as_text=True)
    (sent,) = mails(app, "link_ritrovato")
    assert sent.to_address == SCHEDA["contact_email"]
    assert "La domanda è ancora in bozza" in sent.body_text and "di Il Melograno APS" in sent.body_text
    path = link_path(sent.body_text, "/aderisci/domanda/")
    assert draft_path.endswith(path)
    assert 'value="Il Melograno APS"' in client.get(path).get_data(as_text=True)


def test_the_link_of_an_application_to_amend_is_sent_again_but_not_of_one_under_review(app, client, login):
    from tests import factories as f
    from tests.test_membership import application_by_cf, review

    submit_new(client)
    client.post("/aderisci/link-perso", data={"email": SCHEDA["contact_email"]})
    assert mails(app, "link_ritrovato") == []  # under review: nothing to resume
    application = application_by_cf(app)
    review(app, login(f.MANAGER), application.id, "modifiche", "Indicate anche l'orario del sabato.")
    client.post("/aderisci/link-perso", data={"email": SCHEDA["contact_email"]})
    (sent,) = mails(app, "link_ritrovato")
    assert "ha chiesto delle modifiche" in sent.body_text and application.protocol_number in sent.body_text
    path = link_path(sent.body_text, "/aderisci/domanda/")
    assert "chiede delle modifiche" in client.get(path).get_data(as_text=True)


def test_the_answer_is_the_same_whether_or_not_the_address_has_applied(app, client):
    _draft(client)
    client = app.test_client()  # the visitor asking (the draft's own flash message is not part of the answer)
    known = client.post("/aderisci/link-perso", data={"email": SCHEDA["contact_email"]})
    unknown = client.post("/aderisci/link-perso", data={"email": "nessuno@esempio.it"})
    assert known.status_code == unknown.status_code == 200

    def normalised(response, email):
        return response.get_data(as_text=True).replace(email, "EMAIL")

    assert normalised(known, SCHEDA["contact_email"]) == normalised(unknown, "nessuno@esempio.it")
    assert [m.to_address for m in mails(app, "link_ritrovato")] == [SCHEDA["contact_email"]]


def test_a_malformed_address_gets_an_italian_message(client):
    response = client.post("/aderisci/link-perso", data={"email": "non-una-mail"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Scrivi un indirizzo e-mail valido" in page and 'value="non-una-mail"' in page


def test_lost_link_requests_are_throttled_per_address(strict_app):
    client = strict_app.test_client()
    statuses = [client.post("/aderisci/link-perso", data={"email": "stessa@esempio.it"}).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    # Another e-mail from another address is not slowed by the first one.
    other = strict_app.test_client().post(
        "/aderisci/link-perso", data={"email": "altra@esempio.it"}, environ_base={"REMOTE_ADDR": "10.2.3.4"}
    )
    assert other.status_code == 200


# ------------------------------------------------------------------ honeypot and fill time
@pytest.mark.parametrize("action", ["salva", "invia"])
def test_a_bot_that_fills_the_honeypot_is_refused_neutrally_and_nothing_is_stored(app, client, action):
    data = {**SCHEDA, antispam.HONEYPOT_FIELD: "http://spam.example", "azione": action}
    response = client.post("/aderisci/scheda", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert NEUTRAL in page and "honeypot" not in page.lower()
    assert 'value="Il Melograno APS"' in page  # a person who got here by mistake loses nothing
    assert count(app, MembershipApplication) == 0 and count(app, OutboxMessage) == 0


def test_the_honeypot_is_hidden_from_people_and_screen_readers(client):
    page = client.get("/aderisci/scheda").get_data(as_text=True)
    block = re.search(r'<div class="d-none" aria-hidden="true">(.*?)</div>', page, re.S)
    assert block and f'name="{antispam.HONEYPOT_FIELD}"' in block.group(1) and 'tabindex="-1"' in block.group(1)


def test_a_scheda_posted_faster_than_a_person_can_fill_it_is_refused(strict_app, monkeypatch):
    client = strict_app.test_client()
    token = started_field(client.get("/aderisci/scheda").get_data(as_text=True))
    at_once = client.post("/aderisci/scheda", data={**SCHEDA, antispam.STARTED_FIELD: token, "azione": "invia"})
    assert at_once.status_code == 422 and NEUTRAL in at_once.get_data(as_text=True)
    without = client.post("/aderisci/scheda", data={**SCHEDA, "azione": "salva"})  # no timestamp at all
    assert without.status_code == 422
    forged = client.post("/aderisci/scheda", data={**SCHEDA, antispam.STARTED_FIELD: "1.abc.def", "azione": "salva"})
    assert forged.status_code == 422
    assert count(strict_app, MembershipApplication) == 0 and count(strict_app, OutboxMessage) == 0

    # The refused page carries the original timestamp on, so the person's next click counts from the first view.
    assert started_field(at_once.get_data(as_text=True)) == token
    later = antispam.time.time() + 10
    monkeypatch.setattr(antispam.time, "time", lambda: later)
    response = client.post("/aderisci/scheda", data={**SCHEDA, antispam.STARTED_FIELD: token, "azione": "invia"})
    assert response.status_code == 302 and "/ricevuta" in response.headers["Location"]
    assert count(strict_app, MembershipApplication) == 1


def test_adding_a_site_is_not_held_back_by_the_fill_time(strict_app):
    client = strict_app.test_client()
    token = started_field(client.get("/aderisci/scheda").get_data(as_text=True))
    response = client.post(
        "/aderisci/scheda", data={**SCHEDA, antispam.STARTED_FIELD: token, "azione": "aggiungi_sede"}
    )
    assert response.status_code == 200 and "Sede operativa n. 2" in response.get_data(as_text=True)


# ------------------------------------------------------------------ rate limit
def test_submissions_from_one_address_are_rate_limited(strict_app, monkeypatch):
    client = strict_app.test_client()
    token = started_field(client.get("/aderisci/scheda").get_data(as_text=True))
    later = antispam.time.time() + 60
    monkeypatch.setattr(antispam.time, "time", lambda: later)
    statuses = []
    for i in range(11):
        data = {"name": f"Bozza {i}", "contact_email": f"r{i}@esempio.it", antispam.STARTED_FIELD: token}
        statuses.append(client.post("/aderisci/scheda", data={**data, "azione": "salva"}).status_code)
    assert statuses[:10] == [302] * 10 and statuses[10] == 429
    assert "Troppi tentativi" in client.post("/aderisci/scheda", data={"azione": "salva"}).get_data(as_text=True)
    assert count(strict_app, MembershipApplication) == 10
    # Adding a site stores nothing and is not counted; another address is not slowed.
    assert client.post("/aderisci/scheda", data={**SCHEDA, "azione": "aggiungi_sede"}).status_code == 200
    other = strict_app.test_client()
    response = other.post(
        "/aderisci/scheda",
        data={"name": "Altra", "contact_email": "altra@esempio.it", antispam.STARTED_FIELD: token, "azione": "salva"},
        environ_base={"REMOTE_ADDR": "10.7.7.7"},
    )
    assert response.status_code == 302
