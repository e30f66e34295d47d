"""workflows.notify."""
