"""Personal pages: notifications (消息) and delegations (委托)."""
