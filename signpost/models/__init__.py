"""All models, imported here so that metadata and migrations see every table."""

from signpost.models.accounts import PasswordResetToken, SiteSetting
from signpost.models.administration import (
    AssignmentRule,
    Booking,
    ConfidenceRating,
    ExternalCompletion,
    ReminderLog,
    TrainingSession,
)
from signpost.models.audit import AuditEvent
from signpost.models.base import Base, utcnow
from signpost.models.certificates import Certificate, CertificatePdf
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
    Assignment,
    CourseCompletion,
    LessonCompletion,
    ModuleProgress,
    QuizAttempt,
    QuizSubmission,
    ScenarioRun,
    ScenarioStep,
)
from signpost.models.reporting import CourseRecord

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
    "Module",
    "ModuleVersion",
    "Option",
    "Question",
    "Quiz",
    "Scenario",
    "ScenarioChoice",
    "ScenarioNode",
    "PasswordResetToken",
    "Role",
    "SiteSetting",
    "Team",
    "User",
    "UserRole",
    "utcnow",
]
