"""Notification pages: the bell's list for everyone; the e-mail outbox and the incident list for administrators."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from engine import EngineError, TaskConflict, TaskNotFound
from engine.models import JournalEntry, ProcessInstance
from webapp.access import roles_required
from webapp.auth.services import actor_for
from webapp.extensions import db
from webapp.notifications import incidents as request_incidents
from webapp.notifications import messages, services
from webapp.notifications.mail import retry_message
from webapp.notifications.models import MAIL_FAILED, MAIL_PENDING, MAIL_SENT, OutboxMessage, RequestIncident
from webapp.workflow import get_engine

bp = Blueprint("notifications", __name__)

PER_PAGE = 25
MAIL_STATUS_LABELS = {MAIL_PENDING: _l("In coda"), MAIL_SENT: _l("Inviata"), MAIL_FAILED: _l("Non recapitata")}
MAIL_FILTER_LABELS = {MAIL_PENDING: _l("In coda"), MAIL_SENT: _l("Inviate"), MAIL_FAILED: _l("Non recapitate")}


def _pages(total: int) -> int:
    return max((total + PER_PAGE - 1) // PER_PAGE, 1)


def _page() -> int:
    return max(request.args.get("pagina", 1, type=int), 1)


def admin_problems() -> dict[str, int]:
    """What administrators should look at: processes parked in error, steps that failed in a request (not yet
    marked resolved) and e-mails that could not be delivered."""
    return {
        "request_incidents": request_incidents.open_incident_count(db.session),
        "incidents": db.session.scalar(
            select(func.count()).select_from(ProcessInstance).where(ProcessInstance.status == "error")
        )
        or 0,
        "failed_mail": db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == MAIL_FAILED)
        )
        or 0,
    }


@bp.app_context_processor
def inject_bell() -> dict:
    """The header's bell: unread notifications (and, for administrators, problems to look at)."""
    if not current_user.is_authenticated:
        return {}
    count = services.unread_count(db.session, current_user)
    if current_user.role == "admin":
        count += sum(admin_problems().values())
    return {"unread_notifications": count}


# ------------------------------------------------------------------ everyone: the bell's list
@bp.route("/notifiche")
@login_required
def inbox():
    page = _page()
    rows, total = services.notifications_for(db.session, current_user, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    items = [
        {
            "notification": notification,
            "read": read,
            "label": services.NOTIFICATION_KIND_LABELS.get(notification.kind, _("Avviso")),
            "text": messages.text_of(notification),
            "has_target": notification.case_id is not None,
        }
        for notification, read in rows
    ]
    return render_template(
        "notifications/inbox.html",
        items=items,
        total=total,
        page=page,
        pages=_pages(total),
        unread=services.unread_count(db.session, current_user),
        problems=admin_problems() if current_user.role == "admin" else None,
    )


@bp.route("/notifiche/<int:notification_id>/apri", methods=["POST"])
@login_required
def open_notification(notification_id: int):
    notification = services.notification_for(db.session, current_user, notification_id)
    if notification is None:
        abort(404)
    services.mark_read(db.session, current_user, [notification])
    target = services.notification_target(db.session, current_user, notification)
    db.session.commit()
    return redirect(target or url_for("notifications.inbox"))


@bp.route("/notifiche/lette", methods=["POST"])
@login_required
def mark_all_read():
    count = services.mark_all_read(db.session, current_user)
    db.session.commit()
    flash(
        _("Tutte le notifiche sono segnate come lette.") if count else _("Non c'erano notifiche da leggere."), "success"
    )
    return redirect(url_for("notifications.inbox"))


# ------------------------------------------------------------------ administrators: the outbox
@bp.route("/amministrazione/posta")
@roles_required("admin")
def outbox():
    status = request.args.get("stato")
    if status not in MAIL_STATUS_LABELS:
        status = None
    page = _page()
    where = [OutboxMessage.status == status] if status else []
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(*where)
        .order_by(OutboxMessage.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render_template(
        "notifications/outbox.html",
        messages=messages,
        total=total,
        page=page,
        pages=_pages(total),
        status=status,
        counts=counts,
        labels=MAIL_STATUS_LABELS,
        filters=MAIL_FILTER_LABELS,
        smtp_server=current_app.config.get("TESSERE_MAIL_SERVER"),
        mail_dir=current_app.config.get("TESSERE_MAIL_DIR"),
    )


@bp.route("/amministrazione/posta/<int:message_id>")
@roles_required("admin")
def outbox_message(message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template("notifications/outbox_message.html", message=message, labels=MAIL_STATUS_LABELS)


@bp.route("/amministrazione/posta/<int:message_id>/riprova", methods=["POST"])
@roles_required("admin")
def retry_outbox_message(message_id: int):
    message = retry_message(db.session, message_id)
    if message is None:
        abort(404)
    db.session.commit()
    flash(_("Il messaggio n. %(id)s sarà inviato di nuovo al prossimo passaggio del worker.", id=message.id), "success")
    return redirect(url_for("notifications.outbox_message", message_id=message.id))


@bp.route("/amministrazione/posta/riprova-tutte", methods=["POST"])
@roles_required("admin")
def retry_all_failed():
    ids = db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == MAIL_FAILED)).all()
    now = datetime.now(UTC)
    for message_id in ids:
        retry_message(db.session, message_id, now)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d messaggio rimesso in coda: sarà inviato al prossimo passaggio del worker.",
            "%(num)d messaggi rimessi in coda: saranno inviati al prossimo passaggio del worker.",
            len(ids),
        ),
        "success",
    )
    return redirect(url_for("notifications.outbox"))


# ------------------------------------------------------------------ administrators: incidents
def _last_error(instance_id: int) -> JournalEntry | None:
    return db.session.scalar(
        select(JournalEntry)
        .where(JournalEntry.instance_id == instance_id, JournalEntry.kind == "error")
        .order_by(JournalEntry.id.desc())
        .limit(1)
    )


@bp.route("/amministrazione/incidenti")
@roles_required("admin")
def incidents():
    page = _page()
    where = ProcessInstance.status == "error"
    total = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(where)) or 0
    instances = db.session.scalars(
        select(ProcessInstance)
        .where(where)
        .order_by(ProcessInstance.updated_at.desc(), ProcessInstance.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    rows = [{"instance": instance, "error": _last_error(instance.id)} for instance in instances]
    show_resolved = request.args.get("risolti") == "1"
    failed_steps = db.session.scalars(
        select(RequestIncident)
        .where(*([] if show_resolved else [RequestIncident.resolved_at.is_(None)]))
        .order_by(RequestIncident.occurred_at.desc(), RequestIncident.id.desc())
        .limit(100)
    ).all()
    return render_template(
        "notifications/incidents.html",
        rows=rows,
        total=total,
        page=page,
        pages=_pages(total),
        failed_steps=failed_steps,
        open_failed_steps=request_incidents.open_incident_count(db.session),
        show_resolved=show_resolved,
    )


@bp.route("/amministrazione/incidenti/richieste/<int:incident_id>")
@roles_required("admin")
def request_incident(incident_id: int):
    incident = db.session.get(RequestIncident, incident_id)
    if incident is None:
        abort(404)
    instance = db.session.get(ProcessInstance, incident.instance_id) if incident.instance_id else None
    return render_template("notifications/request_incident.html", incident=incident, instance=instance)


@bp.route("/amministrazione/incidenti/richieste/<int:incident_id>/risolto", methods=["POST"])
@roles_required("admin")
def resolve_request_incident(incident_id: int):
    incident = request_incidents.resolve(db.session, incident_id, current_user.id)
    if incident is None:
        abort(404)
    db.session.commit()
    flash(_("L'incidente n. %(number)s è segnato come risolto.", number=incident.id), "success")
    return redirect(url_for("notifications.incidents"))


@bp.route("/amministrazione/incidenti/<int:instance_id>")
@roles_required("admin")
def incident(instance_id: int):
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        abort(404)
    history = db.session.scalars(
        select(JournalEntry)
        .where(JournalEntry.instance_id == instance_id, JournalEntry.kind.in_(("error", "retry")))
        .order_by(JournalEntry.id.desc())
        .limit(50)
    ).all()
    return render_template("notifications/incident.html", instance=instance, history=history)


@bp.route("/amministrazione/incidenti/<int:instance_id>/riprova", methods=["POST"])
@roles_required("admin")
def retry_incident(instance_id: int):
    try:
        instance = get_engine().retry(db.session, instance_id, actor_for(current_user))
        db.session.commit()
    except TaskNotFound:
        db.session.rollback()
        abort(404)
    except TaskConflict as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("notifications.incident", instance_id=instance_id))
    except EngineError as exc:
        db.session.rollback()
        flash(_("Il processo non può essere ripreso: %(error)s", error=exc), "danger")
        return redirect(url_for("notifications.incident", instance_id=instance_id))
    flash(
        _(
            "Il processo n. %(id)s è stato ripreso: le scadenze già passate saranno eseguite al prossimo "
            "passaggio del worker.",
            id=instance.id,
        ),
        "success",
    )
    return redirect(url_for("notifications.incidents"))
