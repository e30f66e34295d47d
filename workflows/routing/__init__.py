"""Who gets a step and who may see or do what: lanes to org units to users (assignment), the
permission checks, 委托/代理 (delegation), and the declared relations 回避 reads."""

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "assignment",
    "delegation",
    "permissions",
]
