"""Save, load, discard and purge form drafts: plain functions taking the session and the author's id.

A draft is saved without validating it (half a form is the point), but what is stored is bounded: a limited number
of fields and values, each value cut to a maximum length, control characters removed (new lines and tabs stay,
text areas need them). Nothing here reads another user's draft: every query filters on the author.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from webapp.drafts.models import FormDraft

RETENTION_DAYS = 30
MAX_FIELDS = 80
MAX_VALUES_PER_FIELD = 60
MAX_VALUE_LENGTH = 6000
MAX_NAME_LENGTH = 100
# Never part of what a person typed: the CSRF token, the optimistic lock, the button pressed.
NOT_TYPED = frozenset({"csrf_token", "lock_version", "action"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(value: str) -> str:
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))[:MAX_VALUE_LENGTH]


def bounded_form_data(formdata: MultiDict | Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The typed fields of a submitted form as `{name: [values]}`, bounded and without control characters."""
    items = formdata.items(multi=True) if isinstance(formdata, MultiDict) else formdata
    data: dict[str, list[str]] = {}
    for name, value in items:
        if not isinstance(value, str) or name in NOT_TYPED or len(name) > MAX_NAME_LENGTH or _CONTROL.search(name):
            continue
        if name not in data:
            if len(data) >= MAX_FIELDS:
                continue
            data[name] = []
        if len(data[name]) < MAX_VALUES_PER_FIELD:
            data[name].append(_clean(value))
    return data


def save_draft(session: Session, user_id: int, key: str, formdata: MultiDict, now: datetime | None = None) -> FormDraft:
    """Create or replace the author's draft of this form (the caller commits)."""
    now = now or datetime.now(UTC)
    draft = load_draft(session, user_id, key)
    if draft is None:
        draft = FormDraft(user_id=user_id, key=key[:MAX_NAME_LENGTH])
        session.add(draft)
    draft.data = bounded_form_data(formdata)
    draft.saved_at = now
    session.flush()
    return draft


def load_draft(session: Session, user_id: int, key: str) -> FormDraft | None:
    """The author's own draft of this form, if any: another user's draft is never returned."""
    return session.scalar(select(FormDraft).where(FormDraft.user_id == user_id, FormDraft.key == key))


def discard_draft(session: Session, user_id: int, key: str) -> bool:
    """Delete the author's draft of this form; True if there was one (the caller commits)."""
    result = session.execute(delete(FormDraft).where(FormDraft.user_id == user_id, FormDraft.key == key))
    return bool(result.rowcount)


def draft_formdata(draft: FormDraft) -> MultiDict:
    """The draft as form data, to fill the form again exactly as it was left."""
    return MultiDict([(name, value) for name, values in (draft.data or {}).items() for value in values])


def purge_old_drafts(session: Session, now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete drafts saved more than `RETENTION_DAYS` ago; returns how many (the caller commits)."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=RETENTION_DAYS)
    old = select(FormDraft.id).where(FormDraft.saved_at < cutoff)
    if dry_run:
        return len(session.scalars(old).all())
    return session.execute(delete(FormDraft).where(FormDraft.saved_at < cutoff)).rowcount or 0
