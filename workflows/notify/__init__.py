"""Notifications: in-app messages (站内消息) and the optional e-mail copies sent over SMTP."""

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "mailer",
    "notifications",
]
