"""What the form pages share about drafts: the «Salva bozza» / «Scarta la bozza» buttons and the restore.

A page calls `draft_response(key)` first thing in its POST branch: for those two buttons it returns the redirect back
to the same page (with the confirmation as a flash message), for a real submit None. The page's script
(static/js/drafts.js) also saves every minute by itself: that request is answered in JSON. On GET it fills the form with
`restored(key)`; after a successful submit `forget(key)` deletes the draft.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from webapp.drafts import services
from webapp.drafts.models import FormDraft
from webapp.extensions import db
from webapp.i18n.formatting import format_time

SAVE = "draft"
DISCARD = "discard_draft"
# Sent by static/js/drafts.js when it saves on its own every minute: answered in JSON, with no flash message.
AUTOSAVE_HEADER = "X-Tessere-Autosave"


def _this_page() -> str:
    """Back to the same form (a path on this site, never another host), keeping its query (e.g. a filter)."""
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def draft_response(key: str) -> Response | None:
    """Save or discard the current user's draft when one of the draft buttons was pressed; else None."""
    action = request.form.get("action")
    if action == SAVE:
        draft = services.save_draft(db.session, current_user.id, key, request.form)
        db.session.commit()
        when = format_time(draft.saved_at)
        if request.headers.get(AUTOSAVE_HEADER) == "1":
            return jsonify(saved_at=when, message=_("Bozza salvata automaticamente alle %(time)s.", time=when))
        flash(_("Bozza salvata alle %(time)s. La vedi solo tu.", time=when), "success")
        return redirect(_this_page())
    if action == DISCARD:
        services.discard_draft(db.session, current_user.id, key)
        db.session.commit()
        flash(_("Bozza scartata."), "info")
        return redirect(_this_page())
    return None


def restored(key: str) -> tuple[MultiDict | None, FormDraft | None]:
    """The current user's own draft of this form, as form data to fill it with (None, None if there is none)."""
    draft = services.load_draft(db.session, current_user.id, key)
    return (services.draft_formdata(draft), draft) if draft is not None else (None, None)


def forget(key: str) -> None:
    """The form was sent: its draft is no longer needed."""
    if services.discard_draft(db.session, current_user.id, key):
        db.session.commit()
