"""PARS data model: every table is declared on Flask-AppBuilder's ``Model`` metadata, so
one Alembic history covers FAB's security tables and ours."""

from flask_appbuilder.security.sqla.models import User

from app.models.account import (
    AuditEvent,
    PasswordLink,
    RateLimitCounter,
    SignInLockout,
    SignInSession,
)
from app.models.accreditor import Accreditor, AccreditorMember
from app.models.activity import (
    ACCME_ACTIVITY_ID_OFFSET,
    Activity,
    ActivityCredit,
    CommercialSupport,
    LearnerCount,
    MocRegistration,
)
from app.models.base import Model
from app.models.criterion import Criterion
from app.models.decision import AccreditationDecision
from app.models.provider import Provider, ProviderContact
from app.models.reporting import AccreditorDeadline, ProgramSummary, ReportingYear
from app.models.review import (
    Review,
    ReviewActivity,
    ReviewAssignment,
    ReviewComment,
    ReviewEvent,
    ReviewFinding,
    ReviewMaterial,
)
from app.models.upload import Upload, UploadChange, UploadProblem

__all__ = [
    "ACCME_ACTIVITY_ID_OFFSET",
    "AccreditationDecision",
    "Accreditor",
    "AccreditorDeadline",
    "AccreditorMember",
    "Activity",
    "ActivityCredit",
    "AuditEvent",
    "CommercialSupport",
    "Criterion",
    "LearnerCount",
    "MocRegistration",
    "Model",
    "PasswordLink",
    "ProgramSummary",
    "Provider",
    "ProviderContact",
    "RateLimitCounter",
    "ReportingYear",
    "Review",
    "ReviewActivity",
    "ReviewAssignment",
    "ReviewComment",
    "ReviewEvent",
    "ReviewFinding",
    "ReviewMaterial",
    "SignInLockout",
    "SignInSession",
    "Upload",
    "UploadChange",
    "UploadProblem",
    "User",
]
