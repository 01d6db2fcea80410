"""A case and the notifications inbox read in English in a real browser: the task a case waits for and its
timeline are the diagram's Italian names, translated when shown; the referral's notifications are stored in Italian
and read in the reader's language. Screenshotted (Italian too, to compare) and checked with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests import factories as f
from tests.journey import open_task, send_to_offer, start_case, submit
from webapp.extensions import db
from webapp.referrals.models import Referral

pytestmark = pytest.mark.browser


def log_in(page: Page, server, email: str) -> None:
    page.goto(server("/accesso"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page).to_have_url(re.compile(r"/attivita$"))


def a_referral_answered(app) -> tuple[int, int]:
    """A case sent to «Pacchi alimentari» and accepted, walked through the HTTP client; (case id, referral id)."""
    app.config["WTF_CSRF_ENABLED"] = False  # the setup only: the pages below are read with CSRF on
    try:
        worker, operator = app.test_client(), app.test_client()
        for client, email in ((worker, f.SOCIAL_WORKER), (operator, f.OPERATOR_A)):
            assert client.post("/accesso", data={"email": email, "password": f.PASSWORD}).status_code == 302
        instance_id = start_case(app, worker)
        send_to_offer(app, worker, instance_id, "Pacchi alimentari")
        submit(operator, open_task(app, instance_id, "risposta_invio").id, {"answer": "accetta"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    with app.app_context():
        referral = db.session.scalar(select(Referral))
        return referral.case_id, referral.id


def test_a_case_and_the_inbox_in_english(live_server, new_context, recorder):
    case_id, referral_id = a_referral_answered(live_server.app)
    page = new_context().new_page()
    log_in(page, live_server, f.SOCIAL_WORKER)

    page.goto(live_server(f"/casi/{case_id}?lang=it"))
    expect(page.locator("main")).to_contain_text("Cronologia")
    recorder.shot(page, "it-caso")

    page.goto(live_server(f"/casi/{case_id}?lang=en"))
    timeline = page.locator(".tessere-timeline")
    expect(timeline).to_contain_text("Intake")
    expect(timeline).to_contain_text("Answer to the referral")
    expect(timeline).not_to_contain_text("Risposta all'invio")
    summary = page.locator(".tessere-diagram-summary")  # the steps under the diagram, filled by diagram-viewer.js
    expect(summary).to_contain_text("Answer to the referral")
    expect(summary).not_to_contain_text("Risposta all'invio")
    recorder.check(page, "en-case")

    page.goto(live_server("/notifiche"))  # the language chosen above is remembered
    expect(page.locator("main")).to_contain_text(f"Referral no. {referral_id} has been accepted by")
    expect(page.locator("main")).not_to_contain_text("è stato accettato")
    recorder.check(page, "en-inbox")
    page.goto(live_server("/notifiche?lang=it"))
    expect(page.locator("main")).to_contain_text(f"L'invio n. {referral_id} è stato accettato da")
    recorder.shot(page, "it-notifiche")
