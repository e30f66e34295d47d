"""webapp.pages.diagram."""
