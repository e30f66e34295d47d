"""The exception hierarchy of the service layer. `webapp/errors.py` maps it to HTTP once."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base class. `code` is the machine-readable error code of the JSON API."""

    code = "workflow_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(WorkflowError):
    code = "not_found"


class ProcessNotFound(NotFound):
    code = "process_not_found"


class NotAllowed(WorkflowError):
    """The caller may not do this (not a candidate, not a participant, wrong role)."""

    code = "forbidden"


class ViewRefused(NotAllowed):
    """The caller may not see this case: a refusal the web layer records (`reads.refused`)."""

    def __init__(self, message: str, user_id: int, instance_id: int) -> None:
        super().__init__(message)
        self.user_id, self.instance_id = user_id, instance_id


class AlreadyHandled(WorkflowError):
    """Someone else acted first, or the item is no longer open (HTTP 409)."""

    code = "already_handled"


class CaseChanged(AlreadyHandled):
    """The case changed after this transaction read it (its revision moved: a lost race, DESIGN
    §3). A write that read before taking the lock (`engine.locking.defer_write`) runs again."""


class InvalidRequest(WorkflowError):
    """The request itself is malformed (HTTP 400)."""

    code = "bad_request"


class ValidationFailed(WorkflowError):
    """Submitted data failed its form schema; `fields` maps field paths to messages (HTTP 422)."""

    code = "validation_failed"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, fields=fields or {})
        self.fields = fields or {}


class RuleViolation(ValidationFailed):
    """A hard rule of DOMAIN.md §3 was broken. The message names the rule and its source."""

    code = "rule_violation"

    def __init__(self, rule: str, message: str, source: str, field: str | None = None) -> None:
        text = f"{rule}：{message}（依据：{source}）"
        super().__init__(text, {field: [text]} if field else None)
        self.rule = rule
        self.source = source


class DiagramInvalid(WorkflowError):
    """A BPMN file or one of its forms does not validate; deploy refuses it."""

    code = "diagram_invalid"


class ScriptError(WorkflowError):
    """A diagram script or expression failed; carries the task and line (HTTP 500)."""

    code = "script_error"

    def __init__(self, message: str, task: str | None = None, line: int | None = None) -> None:
        super().__init__(message, task=task, line=line)
        self.task = task
        self.line = line


class TooSoon(WorkflowError):
    """A rate-limited action repeated too soon, e.g. a second 催办 within the hour (HTTP 429).
    `retry_after`: the whole seconds until it may be tried again (the `Retry-After` header)."""

    code = "too_soon"

    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = max(1, int(retry_after))


class Busy(WorkflowError):
    """The database's writers did not let this one in within the busy timeout (HTTP 503)."""

    code = "busy"
