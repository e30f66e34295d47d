"""The 干部信息 pages' view models (no Flask here: the `records` blueprint renders them)."""
