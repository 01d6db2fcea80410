"""The referral journey with the keyboard only (WCAG 2.1.1 Keyboard, 2.4.3 Focus order, 2.4.7 Focus visible).

A social worker and an operator do their part of the referral without a mouse: Tab and Shift+Tab to move, typing,
arrow keys in selects and radio groups, Space on checkboxes, Enter on links and buttons. No `click()`, no `fill()`,
no `focus()`: if a control cannot be reached or used from the keyboard, the walk cannot go on and the test fails.
Every element the walk lands on must show where the focus is (an outline or a focus shadow).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.journey import INTAKE

pytestmark = pytest.mark.browser

MAX_TABS = 150

ACTIVE_ELEMENT = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    // bootstrap-italia draws checkboxes and radios on the label, so their focus ring is on the label's box
    const label = (el.type === 'checkbox' || el.type === 'radio') && el.id
        ? document.querySelector(`label[for="${el.id}"]`) : null;
    const ring = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    const labelRing = label && [getComputedStyle(label), getComputedStyle(label, '::before'),
                                getComputedStyle(label, '::after')].some(ring);
    const rect = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '', value: el.value || '',
        text: (el.innerText || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ').slice(0, 80),
        checked: !!el.checked, focusRing: ring(style) || !!labelRing,
        onScreen: rect.width > 0 && rect.height > 0,
    };
}"""


class KeyboardWalk:
    """Moves the focus with Tab only and remembers every stop that had no visible focus indicator."""

    def __init__(self, page: Page):
        self.page = page
        self.invisible_focus: list[dict] = []

    def active(self) -> dict | None:
        return self.page.evaluate(ACTIVE_ELEMENT)

    def tab_to(self, matches, what: str, backwards: bool = False) -> dict:
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            element = self.active()
            if element is None:
                continue
            if not element["focusRing"] and element["onScreen"]:
                self.invisible_focus.append(element)
            if matches(element):
                return element
        raise AssertionError(f"{what}: not reachable with Tab within {MAX_TABS} presses on {self.page.url}")

    def to_field(self, name: str, value: str | None = None) -> dict:
        return self.tab_to(lambda e: e["name"] == name and (value is None or e["value"] == value), f"field {name}")

    def to_link(self, text: str) -> dict:
        return self.tab_to(lambda e: e["tag"] == "a" and e["text"] == text, f"link «{text}»")

    def to_button(self, text: str) -> dict:
        return self.tab_to(lambda e: e["tag"] == "button" and e["text"] == text, f"button «{text}»")

    def type_into(self, name: str, text: str) -> None:
        self.to_field(name)
        self.page.keyboard.type(text)

    def choose_in_select(self, name: str, label: str) -> None:
        """Arrow keys on a closed select change its value, as a keyboard user does."""
        self.to_field(name)
        for _ in range(60):
            chosen = self.page.evaluate("() => document.activeElement.selectedOptions[0]?.textContent.trim()")
            if chosen == label:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"option «{label}» of {name} not reachable with the arrow keys")

    def tick(self, name: str, value: str) -> None:
        element = self.to_field(name, value)
        if not element["checked"]:
            self.page.keyboard.press("Space")
        assert self.active()["checked"], f"Space did not tick {name}={value}"


def skip_link_first(page: Page) -> None:
    """The first Tab on a page shows the skip link to the content (WCAG 2.4.1)."""
    page.keyboard.press("Tab")
    first = page.evaluate(ACTIVE_ELEMENT)
    assert first is not None and first["tag"] == "a" and first["text"] == "Vai al contenuto", first
    assert first["onScreen"], "the skip link must become visible when focused"


def log_in_by_keyboard(page: Page, server, email: str) -> KeyboardWalk:
    page.goto(server("/accesso"))
    skip_link_first(page)
    walk = KeyboardWalk(page)
    walk.type_into("email", email)
    walk.type_into("password", f.PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/attivita$"))
    return walk


def test_referral_journey_with_the_keyboard_only(live_server, new_context, recorder):
    worker = new_context().new_page()
    walk = log_in_by_keyboard(worker, live_server, f.SOCIAL_WORKER)
    recorder.shot(worker, "tastiera-attivita")

    # The social worker opens a new presa in carico from the worklist and fills it in.
    walk.to_link("Nuova presa in carico")
    worker.keyboard.press("Enter")
    expect(worker.get_by_role("heading", level=1)).to_have_text("Nuova presa in carico")
    walk.type_into("first_name", INTAKE["first_name"])
    walk.type_into("last_name", INTAKE["last_name"])
    walk.type_into("codice_fiscale", INTAKE["codice_fiscale"])
    walk.type_into("phone", INTAKE["phone"])
    walk.choose_in_select("target_group", "Povertà e marginalità sociale")
    walk.tick("needs", "generi_alimentari")
    walk.type_into("notes", INTAKE["notes"])
    walk.tick("consent_share", "y")
    recorder.shot(worker, "tastiera-presa-in-carico")
    walk.to_button("Conferma")
    worker.keyboard.press("Enter")

    # Straight on to the offer: chosen with the arrow keys, sent with Enter.
    expect(worker.get_by_role("heading", level=1)).to_have_text("Scelta dell'offerta e invio")
    walk.choose_in_select("offer_id", next(
        text.strip() for text in worker.locator("select[name=offer_id] option").all_text_contents()
        if "Pacchi alimentari" in text
    ))
    walk.type_into("message", "Contattare al mattino.")
    recorder.shot(worker, "tastiera-scelta-offerta")
    walk.to_button("Conferma")
    worker.keyboard.press("Enter")
    expect(worker.get_by_role("heading", level=1)).to_contain_text(INTAKE["first_name"])
    expect(worker.locator("main")).to_contain_text("In attesa di: Risposta all'invio")

    # The organization's operator answers, also with the keyboard only.
    operator = new_context().new_page()
    operator_walk = log_in_by_keyboard(operator, live_server, f.OPERATOR_A)
    operator_walk.to_link("Risposta all'invio")
    operator.keyboard.press("Enter")
    expect(operator.get_by_role("heading", level=1)).to_have_text("Risposta all'invio")
    operator_walk.to_field("answer")
    for _ in range(4):  # arrow keys move within the radio group and select as they go
        if operator_walk.active()["value"] == "accetta":
            break
        operator.keyboard.press("ArrowDown")
    if not operator_walk.active()["checked"]:
        operator.keyboard.press("Space")
    answer = operator_walk.active()
    assert answer["value"] == "accetta" and answer["checked"], answer
    operator_walk.type_into("note", "Ci vediamo lunedì.")
    recorder.shot(operator, "tastiera-risposta-invio")
    operator_walk.to_button("Conferma")
    operator.keyboard.press("Enter")
    expect(operator.get_by_role("heading", level=1)).to_have_text("Esito dell'intervento")
    expect(operator.locator(".tessere-flashes")).to_contain_text("«Risposta all'invio» completata.")

    # Back in the social worker's page: the case shows the acceptance.
    worker.reload()
    expect(worker.locator("main")).to_contain_text("Accettato")
    recorder.shot(worker, "tastiera-caso-accettato")

    invisible = walk.invisible_focus + operator_walk.invisible_focus
    assert not invisible, f"focus not visible on {len(invisible)} stops: {invisible[:10]}"


def test_the_error_summary_takes_the_keyboard_to_the_field(live_server, new_context, recorder):
    page = new_context().new_page()
    walk = log_in_by_keyboard(page, live_server, f.SOCIAL_WORKER)
    walk.to_link("Nuova presa in carico")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nuova presa in carico")
    walk.type_into("first_name", INTAKE["first_name"])
    walk.to_button("Conferma")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_be_visible()
    walk.tab_to(lambda e: e["tag"] == "a" and e["text"].startswith("Cognome"), "error summary link to Cognome")
    page.keyboard.press("Enter")
    expect(page.locator("input[name=last_name]")).to_be_focused()
    page.keyboard.type(INTAKE["last_name"])
    expect(page.locator("input[name=last_name]")).to_have_value(INTAKE["last_name"])
    recorder.shot(page, "tastiera-riepilogo-errori")
    assert not walk.invisible_focus, walk.invisible_focus[:10]
