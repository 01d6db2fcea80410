"""A social worker types half an intake, saves a draft, leaves, comes back another time and finishes it.

The draft is kept on the server (a new browser context, a new login, finds it), the form shows each field's help
text tied to it, and every step is screenshot and checked with axe-core.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.test_referral_journey_browser import log_in, main, start_intake, tick

pytestmark = pytest.mark.browser


def test_half_an_intake_saved_as_draft_is_found_and_completed_later(live_server, new_context, recorder):
    # 1. Half an intake: names, group and a note; no needs, no consent yet.
    first = new_context().new_page()
    log_in(first, live_server, f.SOCIAL_WORKER, recorder)
    start_intake(first, recorder)
    first_name = first.get_by_label(re.compile(r"^Nome"))
    expect(first_name).to_have_attribute("aria-describedby", "first_name-help")
    expect(first.locator("#first_name-help")).to_have_text("Il nome della persona presa in carico, come nel documento.")
    first_name.fill("Ginevra")
    first.get_by_label(re.compile(r"^Cognome")).fill("Bartoli")
    first.get_by_label(re.compile(r"^Gruppo di riferimento")).select_option(label="Povertà e marginalità sociale")
    first.get_by_label(re.compile(r"^Note del servizio sociale")).fill("Colloquio interrotto: riprendere domani.")
    first.get_by_role("button", name="Salva bozza").click()

    # 2. Saved without complaints about what is missing, and the form still holds what was typed.
    expect(first.locator(".tessere-flashes [role=status]")).to_have_text(
        re.compile(r"Bozza salvata alle \d{2}:\d{2}\. La vedi solo tu\.")
    )
    expect(first.locator(".invalid-feedback")).to_have_count(0)
    expect(first.get_by_label(re.compile(r"^Nome"))).to_have_value("Ginevra")
    expect(first.locator("#draft-notice")).to_contain_text("Bozza ripresa")
    recorder.check(first, "bozza-salvata")
    first.context.close()

    # 3. Another day, another browser session: the draft is there, with its notice and a way to discard it.
    later = new_context().new_page()
    log_in(later, live_server, f.SOCIAL_WORKER, recorder)
    start_intake(later, recorder)
    expect(later.locator("#draft-notice")).to_contain_text("I campi contengono la bozza che hai salvato il")
    expect(later.get_by_role("button", name="Scarta la bozza")).to_be_visible()
    expect(later.get_by_label(re.compile(r"^Nome"))).to_have_value("Ginevra")
    expect(later.get_by_label(re.compile(r"^Cognome"))).to_have_value("Bartoli")
    expect(later.get_by_label(re.compile(r"^Note del servizio sociale"))).to_have_value(
        "Colloquio interrotto: riprendere domani."
    )
    recorder.check(later, "bozza-ripresa")

    # 4. She completes it: the case is registered, and the draft is gone.
    tick(later, "Distribuzione generi alimentari")
    tick(later, re.compile(r"^La persona acconsente"))
    later.get_by_role("button", name="Conferma").click()
    expect(later.get_by_role("heading", level=1)).to_have_text("Scelta dell'offerta e invio")
    expect(later.locator(".tessere-flashes")).to_contain_text("Presa in carico registrata.")
    expect(later.locator("aside")).to_contain_text("Ginevra Bartoli")
    recorder.check(later, "bozza-completata")

    later.goto(live_server("/casi/nuovo"))
    expect(later.locator("#draft-notice")).to_have_count(0)
    expect(later.get_by_label(re.compile(r"^Nome"))).to_have_value("")
    expect(main(later)).not_to_contain_text("Ginevra")


def test_the_intake_saves_itself_every_minute_while_typing(live_server, new_context, recorder):
    page = new_context().new_page()
    page.clock.install()  # the page's timers run on a clock the test moves forward
    log_in(page, live_server, f.SOCIAL_WORKER, recorder)
    start_intake(page, recorder)
    page.get_by_label(re.compile(r"^Nome")).fill("Ludovica")
    page.clock.run_for(61_000)
    expect(page.locator("#draft-autosave-status")).to_have_text(
        re.compile(r"Bozza salvata automaticamente alle \d{2}:\d{2}\.")
    )
    recorder.check(page, "bozza-automatica")

    page.goto(live_server("/casi/nuovo"))  # reloaded: the draft is on the server, and no flash was left behind
    expect(page.get_by_label(re.compile(r"^Nome"))).to_have_value("Ludovica")
    expect(page.locator("#draft-notice")).to_be_visible()
    expect(page.locator(".tessere-flashes")).to_have_count(0)
