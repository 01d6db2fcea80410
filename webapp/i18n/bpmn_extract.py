"""Babel extractor for the shipped BPMN diagrams: the names people read (task titles, lanes, events, processes).

Why: the diagrams in `bpmn/` are written in Italian, and their names reach the pages as task titles ("Risposta
all'invio"), waiting states and timeline entries. Extracting them puts them in the same catalogue as every other
string, so `scripts/i18n.py check` asks for their English, and pages translate them at display time with the
`process_text` filter (`pgettext("bpmn", name)`). A diagram a manager edits in the browser may bring new names
without a translation: those are shown as written (Italian), never refused.

Registered in babel.cfg as `[webapp.i18n.bpmn_extract.extract_bpmn: bpmn/**.bpmn]`; parsed with the engine's safe
XML parser (no entities, no network), like every diagram.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from engine.xml_safety import parse_bpmn

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# Elements whose `name` a person may read on a page; sequence flows and gateways' conditions are not shown.
NAMED_ELEMENTS = (
    "process", "lane", "participant", "userTask", "manualTask", "serviceTask", "task", "subProcess", "callActivity",
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
)


def bpmn_names(data: bytes) -> Iterator[tuple[int, str]]:
    """(line, name) of every named element people may see, in document order."""
    root = parse_bpmn(data)
    for tag in NAMED_ELEMENTS:
        for element in root.iter(f"{{{BPMN_NS}}}{tag}"):
            name = " ".join((element.get("name") or "").split())
            if name:
                yield element.sourceline or 0, name


CONTEXT = "bpmn"  # msgctxt: a diagram's "Presa in carico" (a step) is not the page's "Presa in carico da" (a person)


def extract_bpmn(fileobj: IO[bytes], keywords, comment_tags, options) -> Iterator[tuple[int, str, tuple, list[str]]]:
    """Babel's extractor protocol: (lineno, funcname, messages, comments), as a `pgettext("bpmn", name)` call."""
    for line, name in sorted(bpmn_names(fileobj.read())):
        yield line, "pgettext", (CONTEXT, name), ["Nome di un elemento di un diagramma BPMN"]
