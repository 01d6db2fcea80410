"""Wires the engine to the domain: the operations registry, the known form keys, lanes to roles.

One `Engine` per application; views, the JSON API, the CLI and the worker all get it from `get_engine()`.
"""

from __future__ import annotations

from flask import current_app

from engine import Engine, OperationRegistry
from forms import FORM_CLASSES
from webapp.membership.operations import register_membership_operations
from webapp.pact.operations import register_pact_operations
from webapp.referrals.operations import register_referral_operations

LANE_ROLES = {
    "servizio sociale": "social_worker",
    "assistente sociale": "social_worker",
    "social_worker": "social_worker",
    "organizzazione": "association",
    "associazione": "association",
    "association": "association",
    "ufficio di piano": "manager",
    "responsabile": "manager",
    "manager": "manager",
    "amministrazione": "admin",
    "admin": "admin",
    "servizi specialistici": "health_service",
    "health_service": "health_service",
    # Applicants have no account: only the secret link of their application acts in this lane (webapp.membership).
    "organizzazione richiedente": "applicant",
    "richiedente": "applicant",
    "applicant": "applicant",
}


def build_engine() -> Engine:
    registry = OperationRegistry()
    register_referral_operations(registry)
    register_pact_operations(registry)
    register_membership_operations(registry)
    return Engine(operations=registry, form_keys=FORM_CLASSES.keys(), lane_roles=LANE_ROLES)


def init_app(app) -> None:
    app.extensions["tessere_engine"] = build_engine()


def get_engine() -> Engine:
    return current_app.extensions["tessere_engine"]
