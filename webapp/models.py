"""Imports every model so the metadata (and Alembic) sees all tables."""

from engine.models import HumanTask, JournalEntry, ProcessInstance, ProcessVersion  # noqa: F401
from webapp.agreements.models import NetworkAgreement, SpecialistService  # noqa: F401
from webapp.auth.models import ApiToken, User  # noqa: F401
from webapp.citizen.models import CitizenRequest  # noqa: F401
from webapp.drafts.models import FormDraft  # noqa: F401
from webapp.membership.models import (  # noqa: F401
    ApplicationEvent,
    MembershipApplication,
    OperatingSite,
    OperatorInvitation,
    ProtocolCounter,
    RegistryEnrolment,
)
from webapp.modeler.models import DiagramDraft  # noqa: F401
from webapp.monitoring.models import (  # noqa: F401
    GoodPractice,
    MonitoringPeriod,
    MonitoringQuestionnaire,
    MonitoringSchedule,
)
from webapp.network.models import Offer, Organization  # noqa: F401
from webapp.notifications.models import NotificationRead, OutboxMessage  # noqa: F401
from webapp.pact.models import PactSignature, PactVersion  # noqa: F401
from webapp.referrals.models import AccessLogEntry, Beneficiary, Case, Notification, Referral  # noqa: F401
from webapp.security.models import AccountLink  # noqa: F401
from webapp.signals.models import Signal, SignalMessage  # noqa: F401
