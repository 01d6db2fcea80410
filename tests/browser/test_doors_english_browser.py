"""Two doors into the network read in English in a real browser: a citizen asks to take part in an offer (errors next
to the fields in English, what was typed kept), and an organization raises a concern about a person (the form, its
vocabulary and the concern's page). Each step is screenshotted and checked with axe-core, like the Italian journeys
of test_doors_browser.py; the first screenshot of each door is also taken in Italian, to compare the two."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.browser.test_doors_browser import tick
from tests.journey import offer_id

pytestmark = pytest.mark.browser


def log_in(page: Page, server, email: str) -> None:
    page.goto(server("/accesso"))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page).to_have_url(re.compile(r"/attivita$"))


def test_a_citizen_asks_to_take_part_in_english(live_server, new_context, recorder):
    page = new_context().new_page()
    url = live_server(f"/catalogo/offerte/{offer_id(live_server.app, 'Pacchi alimentari')}/partecipa")
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Chiedi di partecipare")
    recorder.shot(page, "it-richiesta")

    page.goto(url + "?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask to take part")
    expect(page.locator("main")).to_contain_text("Available now: 2 places out of 2.")
    recorder.check(page, "en-request-form")
    page.get_by_label(re.compile(r"^Full name|^Name")).fill("Lucia Ferri")
    page.get_by_label(re.compile(r"^Phone")).fill("abc")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("main")).to_contain_text("Invalid phone number (digits, spaces and + only).")
    expect(page.locator("main")).to_contain_text("Without consent to the processing of your data")
    expect(page.get_by_label(re.compile(r"^Full name|^Name"))).to_have_value("Lucia Ferri")
    recorder.check(page, "en-request-errors")


def test_an_organization_raises_a_concern_in_english(live_server, new_context, recorder):
    page = new_context().new_page()
    log_in(page, live_server, f.OPERATOR_A)
    page.goto(live_server("/segnalazioni/nuova"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Segnala una persona al Servizio sociale")
    recorder.shot(page, "it-nuova-segnalazione")

    page.goto(live_server("/segnalazioni/nuova?lang=en"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a concern about a person with the Social service")
    recorder.check(page, "en-new-concern")
    page.get_by_label(re.compile(r"^Name")).fill("Giovanni")
    page.get_by_label(re.compile(r"^Surname")).fill("Esposito")
    page.get_by_label(re.compile(r"^Phone")).fill("340 1112223")
    page.get_by_label(re.compile(r"^Why you are raising a concern")).fill("Lost his job, asks for help with food.")
    page.get_by_label(re.compile(r"^Target group")).select_option(label="Poverty and social marginalization")
    tick(page, "Food distribution")
    tick(page, re.compile(r"^The person has agreed"))
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Concern no. ")
    expect(page.locator("main")).to_contain_text("Being assessed by the Social service")
    expect(page.locator("main")).to_contain_text("Food distribution")
    recorder.check(page, "en-concern-sent")
