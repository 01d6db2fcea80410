"""The second-factor enrolment page shows the key as a QR code (an SVG data URI drawn on the server) beside the
text key, and passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.test_keyboard_walk_browser import log_in_by_keyboard

pytestmark = pytest.mark.browser


def test_the_enrolment_page_shows_a_qr_code_an_app_can_scan(live_server, new_context, recorder):
    page = new_context().new_page()
    log_in_by_keyboard(page, live_server, f.SOCIAL_WORKER)
    page.goto(live_server("/profilo/due-fattori"))
    qr = page.locator("#qr-totp")
    expect(qr).to_be_visible()
    size = qr.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert size[0] and size[1] > 100 and size[1] == size[2], size  # the SVG was decoded: a square image
    assert len(page.locator("#chiave-totp").inner_text().replace(" ", "")) == 32
    recorder.check(page, "due-fattori-qr")
