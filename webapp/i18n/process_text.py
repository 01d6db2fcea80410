"""Names from the process diagrams (task titles, lanes, events) in the reader's language.

The diagrams are written in Italian and their names are stored as written (a task's title, a journal entry), so
they are translated when shown, not when stored: `process_text("Risposta all'invio")` is "Answer to the referral"
for an English reader. The shipped diagrams' names are in the catalogue under the context "bpmn" (see
`bpmn_extract`); a name a manager typed in the modeler and nobody translated yet is shown as written.
"""

from __future__ import annotations

from flask import Flask, has_request_context
from flask_babel import pgettext

from webapp.i18n.bpmn_extract import CONTEXT


def process_text(name: str | None) -> str | None:
    if not name or not has_request_context():
        return name
    return pgettext(CONTEXT, name)


def init_app(app: Flask) -> None:
    app.add_template_filter(process_text, "process_text")
