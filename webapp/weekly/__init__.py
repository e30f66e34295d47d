"""周报 pages."""
