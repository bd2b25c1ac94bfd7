"""Safeguarding board reporting: per-course records, dashboard figures, drill-down, exports."""
