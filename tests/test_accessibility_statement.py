"""The accessibility statement (required of Italian public digital services) and its feedback form: reachable
from every page without logging in, and a report reaches the municipality's accessibility contact by e-mail."""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.notifications.models import OutboxMessage

FEEDBACK = {
    "name": "Marta Neri",
    "email": "marta.neri@example.org",
    "page": "/catalogo/offerte",
    "problem": "Con il lettore di schermo non sento l'etichetta del filtro per zona.",
}


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_statement_is_public_and_linked_from_every_page_footer(client):
    page = client.get("/catalogo/offerte").get_data(as_text=True)
    assert 'href="/accessibilita"' in page
    response = client.get("/accessibilita")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for section in ("Stato di conformità", "Contenuti non accessibili", "Redazione della dichiarazione",
                    "Meccanismo di feedback", "Procedura di attuazione"):
        assert section in text
    assert 'href="/accessibilita/segnala"' in text
    assert "accessibilita@comune.campi-bisenzio.fi.it" in text


def test_feedback_reaches_the_contact_by_mail_with_the_text_escaped(app, client):
    hostile = dict(FEEDBACK, problem="Il bottone <script>alert(1)</script> non ha un nome accessibile.")
    response = client.post("/accessibilita/segnala", data=hostile)
    assert response.status_code == 302 and response.headers["Location"].endswith("/accessibilita")
    messages = outbox(app)
    assert len(messages) == 1
    message = messages[0]
    assert message.to_address == "accessibilita@comune.campi-bisenzio.fi.it"
    assert message.kind == "segnalazione_accessibilita"
    assert "marta.neri@example.org" in message.body_text and "/catalogo/offerte" in message.body_text
    assert "<script>" not in message.body_html and "&lt;script&gt;" in message.body_html
    assert "entro 30 giorni" in client.get("/accessibilita").get_data(as_text=True)


def test_invalid_feedback_says_why_next_to_the_field_and_keeps_what_was_typed(app, client):
    response = client.post("/accessibilita/segnala", data=dict(FEEDBACK, email="non-un-indirizzo", problem="corto"))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "La descrizione deve avere tra 10 e 5000 caratteri." in text
    assert 'value="/catalogo/offerte"' in text and 'value="Marta Neri"' in text
    assert outbox(app) == []


def test_a_robot_filling_the_hidden_field_sends_nothing(app, client):
    response = client.post("/accessibilita/segnala", data=dict(FEEDBACK, website="http://spam.example"))
    assert response.status_code == 302
    assert outbox(app) == []


def test_the_contact_is_configurable(app, client):
    app.config["TESSERE_ACCESSIBILITY_CONTACT"] = "urp@comune.example.it"
    assert "urp@comune.example.it" in client.get("/accessibilita").get_data(as_text=True)
    client.post("/accessibilita/segnala", data=FEEDBACK)
    assert [m.to_address for m in outbox(app)] == ["urp@comune.example.it"]
