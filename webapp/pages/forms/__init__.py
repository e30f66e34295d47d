"""webapp.pages.forms."""
