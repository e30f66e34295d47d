"""workflows.records."""
