"""inbox blueprint."""
