"""Learners' confidence self-assessment before and after a course."""
