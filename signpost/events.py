"""Domain events other features subscribe to (e.g. certificates on course completion)."""

from blinker import Namespace

_signals = Namespace()

# Sent with the CourseCompletion, inside the transaction that records it.
course_completed = _signals.signal("course-completed")

# Sent with each new Certificate, after it is added to the session.
certificate_issued = _signals.signal("certificate-issued")
