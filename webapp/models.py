"""Imports every model so the metadata (and Alembic) sees all tables."""

from engine.models import HumanTask, JournalEntry, ProcessInstance, ProcessVersion  # noqa: F401
from webapp.auth.models import ApiToken, User  # noqa: F401
from webapp.network.models import Offer, Organization  # noqa: F401
from webapp.referrals.models import AccessLogEntry, Beneficiary, Case, Notification, Referral  # noqa: F401
