"""webapp.pages.case."""
