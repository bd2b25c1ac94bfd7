"""People, agencies and teams: administration by admins and agency leads, and CSV import."""
