"""In-app notifications are written once and read in each reader's language: the notification keeps its Italian
text (the record, also what older notifications have) and its message, which the inbox translates and whose dates it
formats for the reader."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests import factories as f
from tests.test_pact import publish_directly
from webapp.extensions import db
from webapp.notifications import messages
from webapp.pact.models import PactVersion
from webapp.referrals.models import Notification


def test_a_published_pact_is_announced_in_italian_and_shown_in_english_to_an_english_reader(app, login):
    publish_directly(app, valid_from=date(2027, 1, 1))
    with app.app_context():
        version = db.session.scalar(select(PactVersion))
        notice = db.session.scalars(select(Notification).where(Notification.kind == "pact_published")).first()
        end = f"{version.valid_until:%d/%m/%Y}"
        # the record stays Italian, as it always was
        assert notice.text == (
            f"È stato pubblicato il patto di rete, versione 1, in vigore dal 01/01/2027 al {end}: "
            "leggetelo e firmatelo dalla pagina «Patto di rete»."
        )
        assert notice.message["params"]["start"] == {"date": "2027-01-01"}

    operator = login(f.OPERATOR_A)
    english = operator.get("/notifiche?lang=en").get_data(as_text=True)
    assert "The network pact has been published, version 1, in force from 1 Jan 2027 to" in english
    assert "È stato pubblicato" not in english
    italian = operator.get("/notifiche?lang=it").get_data(as_text=True)
    assert "È stato pubblicato il patto di rete, versione 1, in vigore dal 01/01/2027" in italian


def test_a_notification_without_a_message_is_shown_as_written(app):
    old = Notification(kind="referral_received", text="Nuovo invio per il caso n. 3.")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert messages.text_of(old) == "Nuovo invio per il caso n. 3."


def test_a_monitoring_period_is_named_in_the_readers_language(app):
    stored = messages.message(
        messages.N_("È stato pubblicato il rapporto di monitoraggio del periodo %(period)s."),
        period=messages.period(date(2026, 1, 1), date(2026, 6, 30)),
    )
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert messages.render(stored) == "The monitoring report for the period H1 2026 has been published."
        assert (
            messages.italian(stored) == "È stato pubblicato il rapporto di monitoraggio del periodo 1° semestre 2026."
        )
