"""发起: the processes a user may start, the start form and its route preview (流程预览)."""
