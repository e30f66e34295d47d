"""webapp.pages.start."""
