"""Local details: the admin pages, and the `local` filter that puts them into content."""
