"""The access log review (managers) and a person's data export (social worker in charge, managers)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user
from sqlalchemy import select

from webapp.access import roles_required
from webapp.audit import services
from webapp.audit.subject_access import person_export as build_person_export
from webapp.auth.models import User
from webapp.extensions import db
from webapp.referrals import services as referrals

bp = Blueprint("audit", __name__)

PER_PAGE = 50
ROME = ZoneInfo("Europe/Rome")


def _day(name: str) -> datetime | None:
    value = (request.args.get(name) or "").strip()
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=ROME) if value else None
    except ValueError:
        return None


@bp.route("/registro-accessi")
@roles_required("manager")
def access_log():
    page = max(request.args.get("pagina", 1, type=int) or 1, 1)
    case_id = request.args.get("caso", type=int)
    user_id = request.args.get("utente", type=int)
    restricted = request.args.get("riservati") == "1"
    since, until = _day("dal"), _day("al")
    rows, total = services.access_log(
        db.session,
        case_id=case_id,
        user_id=user_id,
        restricted_only=restricted,
        since=since,
        until=until + timedelta(days=1) if until else None,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    users = list(db.session.scalars(select(User).order_by(User.name)))
    return render_template(
        "audit/access_log.html",
        rows=[
            {
                "entry": entry,
                "user": user,
                "case": case,
                "person": referrals.display_name(case, current_user) if case is not None else None,
                "action": services.action_label(entry.action),
            }
            for entry, user, case in rows
        ],
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        users=users,
        filters={
            "caso": case_id or "",
            "utente": user_id,
            "riservati": restricted,
            "dal": request.args.get("dal", "") if since else "",
            "al": request.args.get("al", "") if until else "",
        },
    )


@bp.route("/casi/<int:case_id>/dati-personali")
@roles_required("social_worker", "manager", "health_service")
def person_export(case_id: int):
    case = referrals.case_for_user(db.session, current_user, case_id)
    if case is None:
        abort(404)
    reason = None
    if referrals.needs_access_reason(current_user, case):
        from webapp.referrals.views import stated_access_reason

        reason = stated_access_reason(case.id)
        if reason is None:
            return redirect(url_for("referrals.access_reason", case_id=case.id))
    with force_locale("it"):  # a document for the person, like the Comune's e-mails: Italian
        document = build_person_export(db.session, case)
    referrals.log_access(db.session, current_user, case, "export:person", reason=reason)
    db.session.commit()
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="dati-persona-caso-{case.id}.json"'},
    )
