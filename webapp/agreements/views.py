"""Pages of the network agreements (managers): agreements and their services, operators bound to a service, and
the referrals seen by referring service. Thin: parse the request, call `services`, render."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import EmailField
from wtforms.validators import DataRequired, Email

from forms.referral import REQUIRED, ItalianForm
from webapp.access import roles_required
from webapp.agreements import services
from webapp.agreements.forms import AgreementForm, ServiceForm
from webapp.agreements.models import NetworkAgreement, SpecialistService
from webapp.extensions import db
from webapp.referrals.services import REFERRAL_STATUS_LABELS

bp = Blueprint("agreements", __name__)

PER_PAGE = 50


class OperatorForm(ItalianForm):
    email = EmailField(
        _l("E-mail dell'operatore"),
        [DataRequired(REQUIRED), Email(_l("Indirizzo e-mail non valido."))],
        description=_l("Un utente già creato con il ruolo «Servizio specialistico»."),
    )


def _agreement_or_404(agreement_id: int) -> NetworkAgreement:
    agreement = db.session.get(NetworkAgreement, agreement_id)
    if agreement is None:
        abort(404)
    return agreement


def _service_or_404(service_id: int) -> SpecialistService:
    service = db.session.get(SpecialistService, service_id)
    if service is None:
        abort(404)
    return service


@bp.route("/accordi")
@roles_required("manager")
def agreement_list():
    return render_template(
        "agreements/list.html",
        agreements=services.list_agreements(db.session),
        today=services.today(),
        kind_labels=services.SERVICE_KIND_LABELS,
    )


@bp.route("/accordi/nuovo", methods=["GET", "POST"])
@roles_required("manager")
def new_agreement():
    form = AgreementForm(request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate():
            agreement = services.create_agreement(db.session, current_user, form.data, datetime.now(UTC))
            db.session.commit()
            flash(_("Accordo registrato. Ora aggiungi i servizi specialistici che ne fanno parte."), "success")
            return redirect(url_for("agreements.agreement_detail", agreement_id=agreement.id))
        return render_template("agreements/form.html", form=form, agreement=None), 422
    return render_template("agreements/form.html", form=form, agreement=None)


def _render_detail(agreement, form=None, service_form=None, operator_form=None, status=200):
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        form=form or AgreementForm(obj=agreement),
        service_form=service_form or ServiceForm(),
        operator_form=operator_form or OperatorForm(),
        operators={s.id: services.operators_of(db.session, s) for s in agreement.services},
        today=services.today(),
        kind_labels=services.SERVICE_KIND_LABELS,
    ), status


@bp.route("/accordi/<int:agreement_id>", methods=["GET", "POST"])
@roles_required("manager")
def agreement_detail(agreement_id: int):
    agreement = _agreement_or_404(agreement_id)
    if request.method == "POST":
        form = AgreementForm(request.form)
        if not form.validate():
            return _render_detail(agreement, form=form, status=422)
        services.update_agreement(db.session, agreement, form.data, datetime.now(UTC))
        db.session.commit()
        flash(_("Accordo aggiornato."), "success")
        return redirect(url_for("agreements.agreement_detail", agreement_id=agreement.id))
    return _render_detail(agreement)


@bp.route("/accordi/<int:agreement_id>/servizi", methods=["POST"])
@roles_required("manager")
def add_service(agreement_id: int):
    agreement = _agreement_or_404(agreement_id)
    form = ServiceForm(request.form)
    if not form.validate():
        return _render_detail(agreement, service_form=form, status=422)
    try:
        service = services.add_service(db.session, agreement, form.data, datetime.now(UTC))
    except services.AgreementError as exc:
        db.session.rollback()
        form[exc.field or "name"].errors = [exc.message]
        return _render_detail(agreement, service_form=form, status=422)
    db.session.commit()
    flash(_("Servizio «%(name)s» aggiunto all'accordo.", name=service.name), "success")
    return redirect(url_for("agreements.agreement_detail", agreement_id=agreement.id))


@bp.route("/accordi/servizi/<int:service_id>/attivo", methods=["POST"])
@roles_required("manager")
def toggle_service(service_id: int):
    service = _service_or_404(service_id)
    active = request.form.get("attivo") == "1"
    services.set_service_active(db.session, service, active)
    db.session.commit()
    if active:
        flash(_("Servizio «%(name)s» riattivato.", name=service.name), "success")
    else:
        flash(_("Servizio «%(name)s» sospeso.", name=service.name), "success")
    return redirect(url_for("agreements.agreement_detail", agreement_id=service.agreement_id))


@bp.route("/accordi/servizi/<int:service_id>/operatori", methods=["POST"])
@roles_required("manager")
def bind_operator(service_id: int):
    service = _service_or_404(service_id)
    form = OperatorForm(request.form)
    if not form.validate():
        return _render_detail(service.agreement, operator_form=form, status=422)
    try:
        user = services.bind_operator(db.session, service, form.email.data)
    except services.AgreementError as exc:
        db.session.rollback()
        form.email.errors = [exc.message]
        return _render_detail(service.agreement, operator_form=form, status=422)
    db.session.commit()
    flash(_("%(user)s ora opera per «%(service)s».", user=user.name, service=service.name), "success")
    return redirect(url_for("agreements.agreement_detail", agreement_id=service.agreement_id))


@bp.route("/accordi/invii")
@roles_required("manager")
def referrals_by_service():
    page = max(request.args.get("pagina", 1, type=int), 1)
    selected = request.args.get("servizio") or None
    service = None
    social_service = selected == "comune"
    if selected and not social_service:
        service = db.session.get(SpecialistService, int(selected)) if selected.isdigit() else None
        if service is None:
            abort(404)
    referrals, total = ([], 0)
    if service is not None or social_service:
        referrals, total = services.list_referrals(
            db.session,
            service.id if service else None,
            social_service=social_service,
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )
    return render_template(
        "agreements/referrals.html",
        rows=services.referrals_by_service(db.session),
        selected=selected,
        selected_label=service.name if service else (services.SOCIAL_SERVICE_LABEL if social_service else None),
        referrals=referrals,
        total=total,
        page=page,
        pages=max((total + PER_PAGE - 1) // PER_PAGE, 1),
        status_labels=REFERRAL_STATUS_LABELS,
    )
