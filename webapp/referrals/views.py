"""Case pages: list, new presa in carico, one case with its timeline; referrals received by an organization."""

from __future__ import annotations

import time
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import Form, RadioField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from engine import OperationRefused
from engine.models import ProcessInstance
from forms.choices import choices
from forms.referral import PresaInCaricoForm
from webapp.access import roles_required
from webapp.agreements.services import referral_block_reason
from webapp.drafts import web as drafts
from webapp.extensions import db
from webapp.i18n import in_italian
from webapp.referrals import services
from webapp.tasks.services import FormInvalid, start_with_first_task
from webapp.timeline import timeline_for_instance
from webapp.workflow import get_engine

bp = Blueprint("referrals", __name__)

INTAKE_DRAFT = "presa_in_carico"  # the key of the intake's draft (one per social worker)


@bp.route("/casi")
@login_required
def case_list():
    page = max(request.args.get("pagina", 1, type=int), 1)
    if current_user.role == "association":
        referrals, total = services.list_received_referrals(db.session, current_user, limit=50, offset=(page - 1) * 50)
        return render_template(
            "referrals/received.html", referrals=referrals, total=total, labels=services.REFERRAL_STATUS_LABELS
        )
    if current_user.role not in ("social_worker", "manager", "health_service"):
        abort(404)
    status = request.args.get("stato")
    cases, total = services.list_cases(db.session, current_user, status=status, limit=50, offset=(page - 1) * 50)
    rows = [(case, services.display_name(case, current_user)) for case in cases]
    return render_template(
        "referrals/case_list.html", rows=rows, total=total, status=status, labels=services.CASE_STATUS_LABELS
    )


@bp.route("/casi/nuovo", methods=["GET", "POST"])
@roles_required("social_worker", "health_service")
def new_case():
    """The intake form; the case and its process exist only once the form is valid (no empty cases)."""
    engine = get_engine()
    status = 200
    general_errors: list[str] = []
    blocked = referral_block_reason(db.session, current_user)  # specialist services: only within an agreement
    if blocked and request.method == "GET":
        return render_template("error.html", title=_("Presa in carico non disponibile"), message=blocked), 403
    if request.method == "POST" and not blocked and (saved := drafts.draft_response(INTAKE_DRAFT)) is not None:
        return saved
    if request.method == "POST":
        try:
            instance = start_with_first_task(db.session, engine, current_user, "percorso_beneficiario", request.form)
        except FormInvalid:
            status = 422
        except OperationRefused as exc:
            general_errors.append(exc.message)
            status = 422
        else:
            drafts.forget(INTAKE_DRAFT)
            flash(_("Presa in carico registrata."), "success")
            actor = _actor()
            next_task = next(
                (t for t in engine.open_tasks(db.session, instance.id) if engine.may_complete(t, actor)), None
            )
            if next_task is not None:
                return redirect(url_for("tasks.task_page", task_id=next_task.id))
            return redirect(url_for("tasks.worklist"))
    draft = None
    if request.method == "POST":
        form = PresaInCaricoForm(request.form)
        form.validate()
    else:
        formdata, draft = drafts.restored(INTAKE_DRAFT)
        form = PresaInCaricoForm(formdata)
    intake = SimpleNamespace(title=_("Nuova presa in carico"), form_key="presa_in_carico", due_at=None)
    return render_template(
        "tasks/task.html",
        task=intake,
        form=form,
        context={},
        general_errors=general_errors,
        lock_version="",
        need_filter="",
        draft=draft,
        drafts_enabled=True,
    ), status


ACCESS_REASON_VALIDITY = 30 * 60  # seconds a stated reason covers further reads of the same case
REASONS_KEY = "tessere_access_reasons"


def stated_access_reason(case_id: int) -> str | None:
    stated = (session.get(REASONS_KEY) or {}).get(str(case_id))
    if not stated or time.time() - stated[1] > ACCESS_REASON_VALIDITY:
        return None
    return stated[0]


@bp.route("/casi/<int:case_id>")
@login_required
def case_detail(case_id: int):
    case = services.case_for_user(db.session, current_user, case_id)
    if case is None:
        abort(404)
    reason = None
    if services.needs_access_reason(current_user, case):
        reason = stated_access_reason(case.id)
        if reason is None:
            return redirect(url_for("referrals.access_reason", case_id=case.id))
    services.log_access(db.session, current_user, case, "case:view", reason=reason)
    db.session.commit()
    instance = db.session.get(ProcessInstance, case.instance_id)
    engine = get_engine()
    open_tasks = engine.open_tasks(db.session, instance.id)
    return render_template(
        "referrals/case_detail.html",
        case=case,
        view=services.case_view(case),
        instance=instance,
        open_tasks=open_tasks,
        my_task_ids={t.id for t in open_tasks if engine.may_complete(t, _actor())},
        assignees=services.task_assignees(db.session, open_tasks),
        timeline=timeline_for_instance(db.session, engine, instance.id),
        labels=services.LABELS,
    )


@bp.route("/invii/<int:referral_id>")
@roles_required("association")
def referral_detail(referral_id: int):
    referral = services.referral_for_organization(db.session, current_user, referral_id)
    if referral is None:
        abort(404)
    services.log_access(db.session, current_user, referral.case, "referral:view")
    db.session.commit()
    engine = get_engine()
    my_tasks = [t for t in engine.open_tasks(db.session, referral.case.instance_id) if engine.may_complete(t, _actor())]
    return render_template(
        "referrals/referral_detail.html",
        referral=referral,
        view=services.referral_view(referral),
        my_tasks=my_tasks,
        labels=services.LABELS,
    )


class AccessReasonForm(Form):
    reason = RadioField(
        _l("Motivo"),
        choices=choices(list(services.ACCESS_REASONS)),
        validators=[DataRequired(_l("Scegli il motivo."))],
        description=_l("Il motivo resta nel registro degli accessi, consultabile dalla persona."),
    )
    detail = TextAreaField(
        _l("Spiegazione"),
        [Length(max=500, message=_l("Al massimo 500 caratteri."))],
        description=_l("Obbligatoria per «Altro motivo»; resta nel registro degli accessi."),
    )

    def validate_detail(self, field) -> None:
        if self.reason.data == "altro" and not (field.data or "").strip():
            raise ValidationError(_("Spiega il motivo dell'accesso."))


@bp.route("/casi/<int:case_id>/motivo", methods=["GET", "POST"])
@roles_required("manager")
def access_reason(case_id: int):
    """A restricted case: the manager states why before reading it; the reason goes to the access log."""
    case = services.case_for_user(db.session, current_user, case_id)
    if case is None:
        abort(404)
    if not services.needs_access_reason(current_user, case):
        return redirect(url_for("referrals.case_detail", case_id=case.id))
    form = AccessReasonForm(request.form)
    if request.method == "POST" and form.validate():
        label = in_italian(dict(services.ACCESS_REASONS)[form.reason.data])  # the access log is kept in Italian
        detail = " ".join((form.detail.data or "").split())
        reasons = dict(session.get(REASONS_KEY) or {})
        reasons[str(case.id)] = [f"{label}: {detail}" if detail else label, int(time.time())]
        session[REASONS_KEY] = reasons
        flash(_("Motivo registrato nel registro degli accessi: vale per i prossimi 30 minuti."), "info")
        return redirect(url_for("referrals.case_detail", case_id=case.id))
    return render_template("referrals/access_reason.html", case=case, form=form), (
        422 if request.method == "POST" else 200
    )


@bp.route("/casi/<int:case_id>/consenso/revoca", methods=["POST"])
@roles_required("social_worker", "manager", "health_service")
def withdraw_consent(case_id: int):
    case = services.case_for_user(db.session, current_user, case_id)
    if case is None:
        abort(404)
    if request.form.get("conferma") != "si":
        flash(_("Per registrare la revoca conferma la casella."), "warning")
        return redirect(url_for("referrals.case_detail", case_id=case.id))
    services.withdraw_consent(db.session, current_user, case)
    db.session.commit()
    flash(
        _(
            "Revoca del consenso registrata: la persona non può più essere inviata alla rete e le organizzazioni "
            "non vedono più i suoi dati di contatto."
        ),
        "success",
    )
    return redirect(url_for("referrals.case_detail", case_id=case.id))


def _actor():
    from webapp.auth.services import actor_for

    return actor_for(current_user)
