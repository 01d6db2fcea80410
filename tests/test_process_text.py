"""Names from the shipped diagrams reach the catalogue and are shown in the reader's language."""

from __future__ import annotations

from pathlib import Path

from webapp.i18n.bpmn_extract import bpmn_names
from webapp.i18n.process_text import process_text

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"


def test_the_extractor_finds_task_titles_lanes_and_events_of_every_diagram():
    names = {name for path in BPMN_DIR.glob("*.bpmn") for _, name in bpmn_names(path.read_bytes())}
    assert {"Risposta all'invio", "Servizio sociale", "Dopo 5 giorni", "Percorso beneficiario"} <= names
    assert all(name == " ".join(name.split()) for name in names)  # line breaks typed in the modeler are folded


def test_task_titles_follow_the_language_and_unknown_names_stay_as_written(app):
    with app.test_request_context("/?lang=en", headers={"Accept-Language": "en"}):
        assert process_text("Risposta all'invio") == "Answer to the referral"
        assert process_text("Presa in carico") == "Intake"
        assert process_text("Un passo aggiunto nel modeler") == "Un passo aggiunto nel modeler"
        assert process_text(None) is None
    with app.test_request_context("/", headers={"Accept-Language": "it"}):
        assert process_text("Risposta all'invio") == "Risposta all'invio"
