"""Course content: reading Markdown files, validating them, rendering and importing."""
