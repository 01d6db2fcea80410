"""The language switch in the header, in a real browser: reached and used with the keyboard alone, the choice kept
across pages and through logging in, and on a phone-sized screen it fits beside the account button. Each state is
screenshotted and checked with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f

pytestmark = pytest.mark.browser


def _focus_language_switch(page: Page) -> None:
    """Tab from the top of the page until the switch has the focus (a keyboard user's way there)."""
    page.locator("body").focus()
    for _step in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.closest('.tessere-languages') !== null"):
            return
    raise AssertionError("the language switch cannot be reached with Tab")


def test_a_visitor_switches_to_english_with_the_keyboard_and_the_choice_holds(live_server, new_context, recorder):
    page = new_context().new_page()
    page.goto(live_server("/catalogo"))
    expect(page.locator("html")).to_have_attribute("lang", "it")
    _focus_language_switch(page)
    page.keyboard.press("Enter")
    english = page.locator("#tessere-languages a[hreflang=en]")
    expect(english).to_be_visible()
    recorder.check(page, "it-language-menu-open")
    while page.evaluate("() => document.activeElement.getAttribute('hreflang')") != "en":
        page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue of the network's offers")
    recorder.check(page, "en-catalogue")

    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail").fill(f.SOCIAL_WORKER)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/attivita$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main navigation")).to_contain_text("My tasks")


def test_on_a_phone_the_switch_and_the_account_button_fit(live_server, new_context, recorder):
    context = new_context()
    page = context.new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server("/catalogo?lang=en"))
    switch = page.locator(".tessere-languages .dropdown-toggle")
    sign_in = page.locator(".it-access-top-wrapper a")
    expect(switch).to_be_visible()
    expect(sign_in).to_be_visible()
    right_edge = page.evaluate("() => document.querySelector('.it-access-top-wrapper a').getBoundingClientRect().right")
    assert right_edge <= 375, f"the account button overflows the screen ({right_edge}px)"
    recorder.check(page, "en-phone-catalogue")
