"""All models, imported here so that metadata and migrations see every table."""

from signpost.models.accounts import PasswordResetToken
from signpost.models.assignments import Assignment, AssignmentRule
from signpost.models.audit import AuditEvent
from signpost.models.base import Base, utcnow
from signpost.models.certificates import Certificate, CertificatePdf
from signpost.models.confidence import ConfidenceRating
from signpost.models.content import (
    ContentAsset,
    Course,
    CourseModule,
    Lesson,
    Module,
    ModuleVersion,
    Option,
    Question,
    Quiz,
    Scenario,
    ScenarioChoice,
    ScenarioNode,
)
from signpost.models.external import ExternalCompletion
from signpost.models.face_to_face import Booking, TrainingSession
from signpost.models.local_details import LocalDetail, PartnershipLogo
from signpost.models.people import (
    AGENCY_KIND_LABELS,
    ROLE_LABELS,
    Agency,
    AgencyKind,
    Role,
    Team,
    User,
    UserRole,
)
from signpost.models.progress import (
    CourseCompletion,
    LessonCompletion,
    ModuleProgress,
    QuizAttempt,
    QuizSubmission,
    ScenarioRun,
    ScenarioStep,
)
from signpost.models.reminders import ReminderLog
from signpost.models.reporting import CourseRecord
from signpost.models.site_settings import SiteSetting

__all__ = [
    "AGENCY_KIND_LABELS",
    "Assignment",
    "AssignmentRule",
    "Booking",
    "ConfidenceRating",
    "ExternalCompletion",
    "ReminderLog",
    "TrainingSession",
    "CourseCompletion",
    "CourseRecord",
    "LessonCompletion",
    "ModuleProgress",
    "QuizAttempt",
    "QuizSubmission",
    "ScenarioRun",
    "ScenarioStep",
    "ROLE_LABELS",
    "Agency",
    "AgencyKind",
    "AuditEvent",
    "Base",
    "Certificate",
    "CertificatePdf",
    "ContentAsset",
    "Course",
    "CourseModule",
    "Lesson",
    "LocalDetail",
    "Module",
    "ModuleVersion",
    "Option",
    "Question",
    "Quiz",
    "Scenario",
    "ScenarioChoice",
    "ScenarioNode",
    "PartnershipLogo",
    "PasswordResetToken",
    "Role",
    "SiteSetting",
    "Team",
    "User",
    "UserRole",
    "utcnow",
]
