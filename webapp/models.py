"""Imports every model so the metadata (and Alembic) sees all tables."""

from engine.models import HumanTask, JournalEntry, ProcessInstance, ProcessVersion  # noqa: F401
from webapp.auth.models import ApiToken, User  # noqa: F401
from webapp.membership.models import (  # noqa: F401
    ApplicationEvent,
    MembershipApplication,
    OperatingSite,
    OperatorInvitation,
    ProtocolCounter,
    RegistryEnrolment,
)
from webapp.network.models import Offer, Organization  # noqa: F401
from webapp.notifications.models import NotificationRead, OutboxMessage  # noqa: F401
from webapp.pact.models import PactSignature, PactVersion  # noqa: F401
from webapp.referrals.models import AccessLogEntry, Beneficiary, Case, Notification, Referral  # noqa: F401
