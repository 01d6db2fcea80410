"""Parse untrusted BPMN XML safely.

Diagrams arrive from browsers and API clients. lxml would otherwise resolve external entities (reading files or
URLs: XXE) and expand nested entities (the "billion laughs"). We refuse any document type declaration outright,
resolve nothing, read nothing from the network and cap the size before parsing.
"""

from __future__ import annotations

from lxml import etree

MAX_BPMN_BYTES = 2 * 1024 * 1024

BPMN_MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


class UnsafeXml(ValueError):
    """The bytes are not a document we are willing to parse; the message is for a person, in Italian."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_bpmn(data: bytes | str) -> etree._Element:
    """Return the root element of a BPMN 2.0 document, or raise UnsafeXml with the reason."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_BPMN_BYTES:
        raise UnsafeXml(f"Il file è troppo grande ({len(raw) // 1024} KB; massimo {MAX_BPMN_BYTES // 1024} KB).")
    if not raw.strip():
        raise UnsafeXml("Il file è vuoto.")
    head = raw[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in raw.lower():
        raise UnsafeXml(
            "Il file contiene una dichiarazione DOCTYPE o ENTITY: non è consentita per motivi di sicurezza."
        )
    try:
        root = etree.fromstring(raw, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"Il file non è XML valido: {exc.msg} (riga {exc.lineno}).") from None
    if root is None:
        raise UnsafeXml("Il file non contiene un documento XML.")
    if etree.QName(root).namespace != BPMN_MODEL_NS or etree.QName(root).localname != "definitions":
        raise UnsafeXml("Il file non è un diagramma BPMN 2.0 (manca l'elemento bpmn:definitions).")
    return root
