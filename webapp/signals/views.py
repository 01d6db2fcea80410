"""Pages of the segnalazioni: an organization signals a person; the list and the page of each signal.

Thin: parse the request, call `services`, render. The evaluation and the organization's answers are tasks of the
`segnalazione` process, completed on the generic task page (webapp.tasks), which shows the signal beside the form.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine import OperationRefused
from forms.signals import SegnalazioneForm
from forms.vocabulary import TARGET_GROUPS
from webapp.access import roles_required
from webapp.auth.services import actor_for
from webapp.drafts import web as drafts
from webapp.extensions import db
from webapp.signals import services
from webapp.signals.models import STATUS_LABELS
from webapp.workflow import get_engine

bp = Blueprint("signals", __name__)

PER_PAGE = 50
SIGNAL_DRAFT = "signal:new"  # the key of an operator's draft of a new signal


def _need_groups() -> list[tuple[str, list[str]]]:
    return [(group.label, [code for code, _label in group.needs]) for group in TARGET_GROUPS]


@bp.route("/segnalazioni")
@roles_required("association", "social_worker", "manager")
def signal_list():
    page = max(request.args.get("pagina", 1, type=int), 1)
    status = request.args.get("stato") or None
    status = status if status in STATUS_LABELS else None
    signals, total = services.list_signals(
        db.session, current_user, status=status, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    rows = [(signal, services.display_name(signal, current_user)) for signal in signals]
    return render_template(
        "signals/list.html",
        rows=rows,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        status=status,
        status_labels=STATUS_LABELS,
        counts=services.status_counts(db.session, current_user),
        may_signal=services.may_signal(current_user),
    )


@bp.route("/segnalazioni/nuova", methods=["GET", "POST"])
@roles_required("association")
def new_signal():
    if not services.may_signal(current_user):
        return render_template(
            "error.html",
            title=_("Segnalazione non disponibile"),
            message=_(
                "Solo gli operatori delle organizzazioni iscritte alla rete possono segnalare una persona al "
                "Servizio sociale."
            ),
        ), 403
    if request.method == "POST" and (saved := drafts.draft_response(SIGNAL_DRAFT)) is not None:
        return saved
    formdata, draft = (request.form, None) if request.method == "POST" else drafts.restored(SIGNAL_DRAFT)
    form = SegnalazioneForm(formdata)
    status = 200
    general_errors: list[str] = []
    if request.method == "POST":
        try:
            signal = services.start_signal(db.session, get_engine(), current_user, request.form)
        except services.SignalInvalid as exc:
            form, status = exc.form, 422
        except OperationRefused as exc:
            form.validate()
            if exc.field and exc.field in form:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            else:
                general_errors.append(exc.message)
            status = 422
        else:
            drafts.forget(SIGNAL_DRAFT)
            flash(
                _("Segnalazione n. %(n)s inviata al Servizio sociale. Qui ne vedrete lo stato.", n=signal.id),
                "success",
            )
            return redirect(url_for("signals.signal_detail", signal_id=signal.id))
    return render_template(
        "signals/new.html", form=form, need_groups=_need_groups(), general_errors=general_errors, draft=draft
    ), status


@bp.route("/segnalazioni/<int:signal_id>")
@roles_required("association", "social_worker", "manager")
def signal_detail(signal_id: int):
    signal = services.signal_for_user(db.session, current_user, signal_id)
    if signal is None:
        abort(404)
    services.log_signal_access(db.session, current_user, signal, "signal:view")
    db.session.commit()
    engine = get_engine()
    actor = actor_for(current_user)
    open_tasks = services.open_tasks_of(db.session, engine, signal)
    return render_template(
        "signals/detail.html",
        signal=signal,
        view=services.signal_view(db.session, signal, current_user),
        open_tasks=open_tasks,
        my_task_ids={t.id for t in open_tasks if engine.may_complete(t, actor)},
    )
