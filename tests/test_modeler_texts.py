"""The modeler's JavaScript speaks the page's language: every text modeler.js passes to `t()` is a key of
`webapp.modeler.texts.modeler_texts` (which the page hands to it, translated), and the page really hands it over."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

from tests import factories as f
from webapp.modeler.texts import modeler_texts

MODELER_JS = Path(__file__).resolve().parents[1] / "webapp" / "static" / "js" / "modeler.js"


def js_texts() -> set[str]:
    source = MODELER_JS.read_text(encoding="utf-8")
    return {m.group(1).replace("\\'", "'") for m in re.finditer(r"\bt\('((?:[^'\\]|\\.)*)'", source)}


def test_every_text_of_modeler_js_has_an_entry_to_translate(app):
    with app.test_request_context():
        keys = set(modeler_texts())
    assert js_texts(), "modeler.js no longer calls t(): update this test"
    assert js_texts() - keys == set()
    assert keys - js_texts() == set(), "texts no longer used by modeler.js"


def test_the_modeler_page_hands_its_texts_to_the_script_in_english(client, login):
    manager = login(f.MANAGER)
    html = manager.get("/processi/nuovo?lang=en").get_data(as_text=True)
    attribute = re.search(r"""<script src="[^"]*/js/modeler\.js" data-texts='([^']*)'""", html)
    assert attribute, "modeler.js is loaded without its texts"
    texts = json.loads(unescape(attribute.group(1)))
    assert texts["Verifica: nessun problema"] == "Check: no problems"
    assert texts["Valore nel diagramma: {value}"] == "Value in the diagram: {value}"
