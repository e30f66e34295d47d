"""审计 pages: the chain state, the case and event-log searches, their CSV exports, and audit
events read as people read them (Chinese action names, names with units, Beijing time)."""
