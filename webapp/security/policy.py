"""Who may reach each endpoint of the application: deny by default, declared in ONE table.

Every endpoint of the URL map must have a rule here. `gate` (a before_request hook, see `webapp.security`)
answers 404 for an endpoint without a rule, sends anonymous visitors of a non-public page to the login page and
answers 404 — never 403, nobody learns what exists — to a signed-in user whose role the rule does not allow.
The views still narrow what a role sees to its own objects (its cases, its organization's referrals and offers).

Each rule also declares what a GET returns for the six personas of `tests/test_access_policy.py`, which walks the
whole URL map against this table: a new route without a rule fails the suite and is listed by name.
Personas: anonymous, social_worker (in charge of the seeded case), association_a (the organization the seeded
referral went to, owner of the seeded offer), association_b (another organization), manager, admin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

PUBLIC = "public"  # anyone, without logging in
LOGGED_IN = "logged_in"  # any signed-in user; the view shows each only what is theirs
API = "api"  # the JSON API authenticates itself (token or session) and answers 401/403/404 as JSON

PERSONAS = ("anonymous", "social_worker", "association_a", "association_b", "manager", "admin")
PERSONA_ROLES = {
    "anonymous": None,
    "social_worker": "social_worker",
    "association_a": "association",
    "association_b": "association",
    "manager": "manager",
    "admin": "admin",
}
NOT_GET = MappingProxyType({})  # POST-only endpoints: the test checks them with POST (CSRF, anonymous, roles)


@dataclass(frozen=True)
class Rule:
    allow: str | frozenset[str]
    overrides: Mapping[str, int | None] = field(default_factory=dict)
    get: bool = True  # False for endpoints that only accept POST

    def allows(self, role: str | None) -> bool:
        if self.allow == PUBLIC:
            return True
        if role is None:
            return False
        if self.allow in (LOGGED_IN, API):
            return True
        return role in self.allow

    def expected(self, persona: str) -> int | None:
        """The status a GET by this persona returns (None: not checked with GET)."""
        if not self.get:
            return None
        if persona in self.overrides:
            return self.overrides[persona]
        role = PERSONA_ROLES[persona]
        if self.allow == API:
            return 401 if role is None else 200
        if self.allow == PUBLIC:
            return 200
        if role is None:
            return 302
        return 200 if self.allows(role) else 404


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


def rule(allow, get: bool = True, **overrides: int | None) -> Rule:
    return Rule(allow=allow, overrides=MappingProxyType(dict(overrides)), get=get)


STAFF_WITH_CASES = roles("social_worker", "manager", "health_service")
SIGNED_IN_EXCEPT = {"anonymous": 302}

# fmt: off
ROUTES: dict[str, Rule] = {
    "static": rule(PUBLIC),
    "tasks.home": rule(PUBLIC, anonymous=302, social_worker=302, association_a=302, association_b=302,
                       manager=302, admin=302),

    # accounts and security
    "auth.login": rule(PUBLIC, social_worker=302, association_a=302, association_b=302, manager=302, admin=302),
    "auth.logout": rule(LOGGED_IN, get=False),
    "security.login_code": rule(PUBLIC, anonymous=302, social_worker=302, association_a=302, association_b=302,
                                manager=302, admin=302),
    "security.forgot_password": rule(PUBLIC),
    "security.reset_password": rule(PUBLIC, anonymous=404, social_worker=404, association_a=404,
                                    association_b=404, manager=404, admin=404),  # the seeded token is unknown
    "security.account": rule(LOGGED_IN),
    "security.change_password": rule(LOGGED_IN),
    "security.totp_setup": rule(LOGGED_IN),
    "security.totp_disable": rule(LOGGED_IN, get=False),
    "security.create_token_page": rule(LOGGED_IN, get=False),
    "security.revoke_token_page": rule(LOGGED_IN, get=False),

    # access log and person's data (managers)
    "audit.access_log": rule(roles("manager")),
    "audit.person_export": rule(roles("manager", "social_worker"), social_worker=200),

    # tasks
    "tasks.worklist": rule(LOGGED_IN),
    # the seeded task is organization A's answer to the referral: only its operators may open it
    "tasks.task_page": rule(LOGGED_IN, social_worker=404, association_b=404, manager=404, admin=404),
    # claiming a group task and giving it back: any signed-in user, on tasks of their group only (404 otherwise)
    "tasks.claim": rule(LOGGED_IN, get=False),
    "tasks.release": rule(LOGGED_IN, get=False),

    # cases and referrals
    "referrals.case_list": rule(roles("social_worker", "association", "manager", "health_service")),
    "referrals.new_case": rule(roles("social_worker", "health_service")),
    "referrals.case_detail": rule(STAFF_WITH_CASES),
    "referrals.referral_detail": rule(roles("association"), association_b=404),
    # the seeded case is not restricted: no reason is asked, the manager goes straight to the case
    "referrals.access_reason": rule(roles("manager"), manager=302),
    "referrals.withdraw_consent": rule(STAFF_WITH_CASES, get=False),

    # public catalogue
    "catalog.offer_list": rule(PUBLIC),
    "catalog.offer_detail": rule(PUBLIC),
    "catalog.organization_list": rule(PUBLIC),
    "catalog.organization_detail": rule(PUBLIC),

    # an organization's own offers
    "network.my_offers": rule(roles("association")),
    # organizations without a signed pact in force may not publish: the form says why (403)
    "network.new_offer": rule(roles("association"), association_a=403, association_b=403),
    "network.edit_offer": rule(roles("association"), association_b=404),
    "network.deactivate_offer": rule(roles("association"), get=False),
    "network.reactivate_offer": rule(roles("association"), get=False),
    "network.confirm_data": rule(roles("association"), get=False),

    # patto di rete
    "pact.index": rule(LOGGED_IN),
    "pact.version_detail": rule(LOGGED_IN),
    "pact.sign": rule(roles("association"), get=False),
    "pact.withdraw": rule(roles("association"), get=False),
    "pact.new_version": rule(roles("manager"), get=False),
    "pact.publish": rule(roles("manager")),

    # membership (Fase 1): public call and applicant links, review by managers
    "membership.call_page": rule(PUBLIC),
    "membership.new_application": rule(PUBLIC),
    "membership.application_by_link": rule(PUBLIC),
    "membership.receipt": rule(PUBLIC),
    "membership.lost_link": rule(PUBLIC),
    "membership.accept_invitation": rule(PUBLIC, anonymous=404, social_worker=404, association_a=404,
                                         association_b=404, manager=404, admin=404),  # an unknown invitation
    "membership.elenco_page": rule(PUBLIC, anonymous=301, social_worker=301, association_a=301,  # moved to
                                   association_b=301, manager=301, admin=301),  # catalog.organization_list
    "membership.elenco_json": rule(PUBLIC),
    "membership.elenco_csv": rule(PUBLIC),
    "membership.application_list": rule(roles("manager")),
    "membership.application_detail": rule(roles("manager")),
    "membership.review_by_task": rule(roles("manager"), manager=302),  # on to the application page
    "membership.reissue_invitation": rule(roles("manager"), get=False),

    # notifications and administration
    "notifications.inbox": rule(LOGGED_IN),
    "notifications.open_notification": rule(LOGGED_IN, get=False),
    "notifications.mark_all_read": rule(LOGGED_IN, get=False),
    "notifications.outbox": rule(roles("admin")),
    "notifications.outbox_message": rule(roles("admin")),
    "notifications.retry_outbox_message": rule(roles("admin"), get=False),
    "notifications.retry_all_failed": rule(roles("admin"), get=False),
    "notifications.incidents": rule(roles("admin")),
    "notifications.incident": rule(roles("admin")),
    "notifications.retry_incident": rule(roles("admin"), get=False),
    "notifications.request_incident": rule(roles("admin")),
    "notifications.resolve_request_incident": rule(roles("admin"), get=False),

    # JSON API (token or session; errors as JSON)
    "api.openapi": rule(PUBLIC),
    "api.list_tasks": rule(API),
    "api.get_task": rule(API, social_worker=404, association_b=404, manager=404, admin=404),
    "api.complete": rule(API, get=False),
    "api.claim": rule(API, get=False),
    "api.release": rule(API, get=False),
    "api.start_instance": rule(API, get=False),
    "api.get_instance": rule(API, association_b=404, admin=404),
    "api.deploy_version": rule(API, get=False),
    "api.list_versions": rule(API),
    "api.list_organizations": rule(API),
    "api.list_offers": rule(API),

    # segnalazioni: an organization signals a person to the social service (webapp/signals)
    "signals.signal_list": rule(roles("association", "social_worker", "manager")),
    "signals.new_signal": rule(roles("association")),
    # the seeded signal was sent by organization A: the social service sees every signal, B none of A's
    "signals.signal_detail": rule(roles("association", "social_worker", "manager"), association_b=404),

    # citizens' requests: the public form and link (no login); the organization, and the social service only when
    # the citizen asked for its support (webapp/citizen)
    "citizen.request_form": rule(PUBLIC),
    "citizen.request_sent": rule(PUBLIC),
    "citizen.request_by_link": rule(PUBLIC, anonymous=404, social_worker=404, association_a=404, association_b=404,
                                    manager=404, admin=404),  # the seeded token is unknown
    "citizen.request_list": rule(roles("association", "social_worker", "manager")),
    # the seeded request went to A's offer and asks for the social service's support (so the social service sees it)
    "citizen.request_detail": rule(roles("association", "social_worker", "manager"), association_b=404),
    "citizen.conclude_request": rule(roles("association"), get=False),

    # network agreements with the specialist services and their referrals (managers; webapp/agreements)
    "agreements.agreement_list": rule(roles("manager")),
    "agreements.new_agreement": rule(roles("manager")),
    "agreements.agreement_detail": rule(roles("manager")),
    "agreements.add_service": rule(roles("manager"), get=False),
    "agreements.toggle_service": rule(roles("manager"), get=False),
    "agreements.bind_operator": rule(roles("manager"), get=False),
    "agreements.referrals_by_service": rule(roles("manager")),

    # monitoring (Fase 3): dashboards, periods and reports, questionnaire and review tasks (webapp/monitoring);
    # an organization's operators see their own figures only. Ids of the table walk (999999) do not exist: 404.
    "monitoring.index": rule(roles("manager", "association")),
    "monitoring.export_table": rule(roles("manager", "association"), association_a=404, association_b=404,
                                    manager=404),
    "monitoring.period_list": rule(roles("manager", "association")),
    "monitoring.period_report": rule(roles("manager", "association"), association_a=404, association_b=404,
                                     manager=404),
    "monitoring.period_pdf": rule(roles("manager", "association"), association_a=404, association_b=404,
                                  manager=404),
    # the seeded task is organization A's answer to a referral: not a monitoring task, on to the task page
    "monitoring.task_page": rule(roles("manager", "association"), association_a=302, association_b=404,
                                 manager=404),
    "monitoring.schedule_page": rule(roles("manager")),
    "monitoring.practice_list": rule(roles("manager")),
    "monitoring.practice_new": rule(roles("manager")),
    "monitoring.practice_edit": rule(roles("manager"), manager=404),
    # good practices in the public catalogue
    "catalog.good_practice_list": rule(PUBLIC),
    "info.accessibility_statement": rule(PUBLIC),
    "info.accessibility_feedback": rule(PUBLIC),
    "catalog.good_practice_detail": rule(PUBLIC, anonymous=404, social_worker=404, association_a=404,
                                         association_b=404, manager=404, admin=404),

    # processes: the modeler, versions, comparison and migration (managers; webapp/modeler)
    "modeler.process_list": rule(roles("manager")),
    "modeler.process_detail": rule(roles("manager")),
    "modeler.version_detail": rule(roles("manager")),
    "modeler.version_json": rule(roles("manager")),
    "modeler.version_download": rule(roles("manager")),
    "modeler.new_process": rule(roles("manager")),
    "modeler.new_diagram_json": rule(roles("manager")),
    "modeler.edit_process": rule(roles("manager")),
    "modeler.source_json": rule(roles("manager")),
    "modeler.vocabulary_json": rule(roles("manager")),
    "modeler.check_expression_json": rule(roles("manager"), get=False),
    "modeler.validate_json": rule(roles("manager"), get=False),
    "modeler.save_draft_json": rule(roles("manager"), get=False),
    "modeler.discard_draft": rule(roles("manager"), get=False),
    "modeler.publish_json": rule(roles("manager"), get=False),
    "modeler.compare": rule(roles("manager")),
    "modeler.compare_json": rule(roles("manager")),
    "modeler.migration": rule(roles("manager")),
    "modeler.migrate": rule(roles("manager"), get=False),
    "modeler.instance_detail": rule(roles("manager")),
    # the diagram of an instance: whoever may see the instance (its case, or an open task in it)
    "modeler.instance_diagram_json": rule(LOGGED_IN, association_b=404),

    # HSDS: the public, read-only catalogue for other systems
    "hsds.api_info": rule(PUBLIC),
    "hsds.openapi": rule(PUBLIC),
    "hsds.list_services": rule(PUBLIC),
    "hsds.get_service": rule(PUBLIC),
    "hsds.list_organizations": rule(PUBLIC),
    "hsds.get_organization": rule(PUBLIC),
}
# fmt: on


# Benchmark-only endpoints (webapp/bench_endpoints.py): registered only with TESSERE_BENCH_ENDPOINTS=1, so they
# are kept out of ROUTES, which the access test checks against an app without them.
BENCH_ROUTES: dict[str, Rule] = {"bench.bare_update": rule(PUBLIC, get=False)}


def rule_for(endpoint: str | None) -> Rule | None:
    return ROUTES.get(endpoint or "") or BENCH_ROUTES.get(endpoint or "")
