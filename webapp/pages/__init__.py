"""webapp.pages."""
