"""start blueprint."""
