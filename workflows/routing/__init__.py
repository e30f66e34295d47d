"""workflows.routing."""
