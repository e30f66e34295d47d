"""webapp.pages.audit."""
