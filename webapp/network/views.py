"""«Le nostre offerte»: an organization's operators publish, edit and deactivate their own offers, and confirm
once a year that the catalogue shows true data. Thin: the rules (own organization only, pact signed, capacity not
below what accepted referrals hold) are in `services`."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from forms import form_to_task_data
from forms.offers import AREA_LABELS, LANGUAGE_LABELS, ConfermaDatiForm, OfferForm
from forms.vocabulary import NEED_LABELS, TARGET_GROUPS, TARGET_GROUPS_BY_CODE
from webapp.access import roles_required
from webapp.drafts import web as drafts
from webapp.extensions import db
from webapp.network import services
from webapp.pact.services import local_day, status_for_organization

bp = Blueprint("network", __name__, url_prefix="/le-nostre-offerte")

EDITABLE = (*services.OFFER_FIELDS, "capacity_total", "capacity_available")


def _now() -> datetime:
    return datetime.now(UTC)


def _labels() -> dict:
    return {
        "groups": {code: group.label for code, group in TARGET_GROUPS_BY_CODE.items()},
        "needs": NEED_LABELS,
        "areas": AREA_LABELS,
        "languages": LANGUAGE_LABELS,
    }


@bp.route("")
@roles_required("association")
def my_offers():
    return _my_offers_page()


def _my_offers_page(confirm_form: ConfermaDatiForm | None = None, status: int = 200):
    now = _now()
    organization_id = current_user.organization_id
    offers = services.offers_of_organization(db.session, organization_id) if organization_id else []
    return render_template(
        "network/my_offers.html",
        organization=current_user.organization,
        offers=offers,
        reserved={o.id: services.reserved_places(db.session, o.id) for o in offers},
        may_publish=services.may_publish(db.session, organization_id, now),
        pact_status=status_for_organization(db.session, organization_id, now),
        last_verified=services.last_verified([o for o in offers if o.active]),
        confirm_form=confirm_form or ConfermaDatiForm(),
        labels=_labels(),
        today=local_day(now),
    ), status


def _draft_key(offer_id: int | None) -> str:
    """One draft per operator for a new offer, one for each offer being edited."""
    return f"offer:{offer_id}" if offer_id is not None else "offer:new"


def _form_page(form: OfferForm, offer=None, errors: list[str] | None = None, status: int = 200, draft=None):
    now = _now()
    return render_template(
        "network/offer_form.html",
        form=form,
        offer=offer,
        reserved=services.reserved_places(db.session, offer.id) if offer is not None else 0,
        may_publish=services.may_publish(db.session, current_user.organization_id, now),
        general_errors=errors or [],
        need_groups=[(group.label, [code for code, _ in group.needs]) for group in TARGET_GROUPS],
        draft=draft,
    ), status


def _attach(form: OfferForm, exc: services.OfferError) -> list[str]:
    """Put a service refusal next to its field, or above the form."""
    if exc.field and exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, exc.message]
        return []
    return [exc.message]


@bp.route("/nuova", methods=["GET", "POST"])
@roles_required("association")
def new_offer():
    if request.method == "GET":
        formdata, draft = drafts.restored(_draft_key(None))
        return _form_page(OfferForm(formdata), status=200 if _may_publish() else 403, draft=draft)
    if (saved := drafts.draft_response(_draft_key(None))) is not None:
        return saved
    form = OfferForm(request.form)
    if not _may_publish():
        return _form_page(form, errors=[services.NOT_SIGNED], status=403)
    if not form.validate():
        return _form_page(form, status=422)
    try:
        offer = services.create_offer(db.session, current_user, _offer_data(form), _now())
        db.session.commit()
    except services.OfferError as exc:
        db.session.rollback()
        return _form_page(form, errors=_attach(form, exc), status=422)
    drafts.forget(_draft_key(None))
    flash(_("Offerta «%(title)s» pubblicata nel catalogo.", title=offer.title), "success")
    return redirect(url_for("network.my_offers"))


@bp.route("/<int:offer_id>", methods=["GET", "POST"])
@roles_required("association")
def edit_offer(offer_id: int):
    offer = services.offer_of_organization(db.session, current_user.organization_id, offer_id)
    if offer is None:
        abort(404)
    if request.method == "GET":
        formdata, draft = drafts.restored(_draft_key(offer_id))
        form = OfferForm(formdata) if formdata is not None else OfferForm(obj=offer)
        return _form_page(form, offer, draft=draft)
    if (saved := drafts.draft_response(_draft_key(offer_id))) is not None:
        return saved
    form = OfferForm(request.form)
    if not form.validate():
        return _form_page(form, offer, status=422)
    try:
        services.update_offer(db.session, current_user, offer_id, _offer_data(form), _now())
        db.session.commit()
    except services.OfferNotFound:
        db.session.rollback()
        abort(404)
    except services.OfferError as exc:
        db.session.rollback()
        offer = services.offer_of_organization(db.session, current_user.organization_id, offer_id)
        status = 403 if exc.message == services.NOT_SIGNED else 422
        return _form_page(form, offer, errors=_attach(form, exc), status=status)
    drafts.forget(_draft_key(offer_id))
    flash(_("Offerta «%(title)s» aggiornata.", title=form.title.data), "success")
    return redirect(url_for("network.my_offers"))


@bp.route("/<int:offer_id>/disattiva", methods=["POST"])
@roles_required("association")
def deactivate_offer(offer_id: int):
    return _set_active(offer_id, False)


@bp.route("/<int:offer_id>/riattiva", methods=["POST"])
@roles_required("association")
def reactivate_offer(offer_id: int):
    return _set_active(offer_id, True)


def _set_active(offer_id: int, active: bool):
    try:
        offer = services.set_offer_active(db.session, current_user, offer_id, active, _now())
        db.session.commit()
    except services.OfferNotFound:
        db.session.rollback()
        abort(404)
    except services.OfferError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("network.my_offers"))
    if active:
        flash(_("Offerta «%(title)s» di nuovo visibile nel catalogo.", title=offer.title), "success")
    else:
        flash(
            _("Offerta «%(title)s» tolta dal catalogo. Gli invii già accettati proseguono.", title=offer.title), "info"
        )
    return redirect(url_for("network.my_offers"))


@bp.route("/conferma-dati", methods=["POST"])
@roles_required("association")
def confirm_data():
    form = ConfermaDatiForm(request.form)
    if not form.validate():
        return _my_offers_page(confirm_form=form, status=422)
    try:
        count = services.confirm_organization_data(db.session, current_user, _now())
        db.session.commit()
    except services.OfferError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("network.my_offers"))
    flash(
        ngettext(
            "Grazie: i dati risultano verificati oggi (%(num)d offerta attiva). "
            "Il catalogo mostra la data di verifica.",
            "Grazie: i dati risultano verificati oggi (%(num)d offerte attive). "
            "Il catalogo mostra la data di verifica.",
            count,
        ),
        "success",
    )
    return redirect(url_for("network.my_offers"))


def _may_publish() -> bool:
    return services.may_publish(db.session, current_user.organization_id, _now())


def _offer_data(form: OfferForm) -> dict:
    data = form_to_task_data(form)
    return {name: data.get(name) for name in EDITABLE}
