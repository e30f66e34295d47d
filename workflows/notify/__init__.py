"""Notifications: in-app messages (站内消息) and the optional e-mail copies sent over SMTP."""
