"""Course content: serving its images, and checking and importing content/."""
