"""JSON-schema forms: load them with a deployed definition, validate submissions on the server.

Messages are Chinese and keyed by field path ("meeting.attendance"), so the UI can show each one
next to its field and the API can return them as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema import FormatChecker
from jsonschema.exceptions import SchemaError
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing import Resource
from referencing.jsonschema import DRAFT202012 as _SPEC

from workflows import money
from workflows.errors import DiagramInvalid
from workflows.errors import ValidationFailed


def referenced_files(schema: Any) -> set[str]:
    """Relative `$ref` targets inside a schema (e.g. "blocks/meeting.json")."""
    found: set[str] = set()
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            found.add(ref.split("#", 1)[0])
        for value in schema.values():
            found |= referenced_files(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= referenced_files(value)
    return found


def check_schema(filename: str, schema: dict[str, Any]) -> None:
    """Raise DiagramInvalid when a form is not a valid JSON Schema (2020-12)."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise DiagramInvalid(f"form {filename}: {exc.message}") from exc


def _registry(forms: dict[str, dict[str, Any]]) -> Registry:
    resources = [(name, Resource.from_contents(schema, default_specification=_SPEC)) for name, schema in forms.items()]
    return Registry().with_resources(resources)


_VALIDATORS: dict[tuple[str, str], Draft202012Validator] = {}


def _fingerprint(forms: dict[str, dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(forms, sort_keys=True).encode("utf-8")).hexdigest()


def validator_for(forms: dict[str, dict[str, Any]], filename: str, version_key: str | None = None) -> Draft202012Validator:
    """A cached validator for one form (blocks resolved through `$ref`).

    `version_key` identifies the forms snapshot (a definition's content hash); without it the
    snapshot is fingerprinted, which costs a serialization per call.
    """
    key = (version_key or _fingerprint(forms), filename)
    validator = _VALIDATORS.get(key)
    if validator is None:
        validator = Draft202012Validator(forms[filename], registry=_registry(forms), format_checker=FormatChecker())
        _VALIDATORS[key] = validator
    return validator


def _path(error: ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path)


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def _choices(schema: dict[str, Any]) -> str:
    return "、".join(str(option.get("title", option.get("const"))) for option in schema.get("oneOf", []))


def _message(error: ValidationError) -> str:  # noqa: C901 - one branch per JSON Schema keyword
    keyword, value, schema = error.validator, error.validator_value, error.schema
    if keyword == "type":
        kinds = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "是/否", "array": "列表", "object": "对象"}
        return f"类型应为{kinds.get(str(value), value)}"
    if keyword == "oneOf" and isinstance(schema, dict) and all("const" in o for o in schema.get("oneOf", [])):
        return f"请从以下选项中选择：{_choices(schema)}"
    if keyword == "format":
        return "日期格式应为 YYYY-MM-DD" if value == "date" else f"格式应为 {value}"
    if keyword == "minLength":
        return "必填" if value == 1 else f"至少 {value} 个字"
    if keyword == "maxLength":
        return f"不能超过 {value} 个字"
    if keyword == "minimum":
        return f"不能小于 {value}"
    if keyword == "maximum":
        return f"不能大于 {value}"
    if keyword == "minItems":
        return f"至少 {value} 项"
    if keyword == "maxItems":
        return f"最多 {value} 项"
    if keyword == "uniqueItems":
        return "不能有重复项"
    if keyword == "pattern":
        return money.TYPED_HINT if isinstance(schema, dict) and schema.get("x-format") == "money" else "格式不正确"
    return str(error.message)


def _located(error: ValidationError) -> list[tuple[str, str]]:
    """(field path, message) pairs for one error; required/additional errors name each field."""
    base = _path(error)
    instance = error.instance if isinstance(error.instance, dict) else {}
    if error.validator == "required":
        return [(_join(base, name), "必填") for name in error.validator_value if name not in instance]
    if error.validator == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        return [(_join(base, name), "表单中没有这个字段") for name in instance if name not in allowed]
    return [(base or "_form", _message(error))]


def _field_errors(errors: Iterable[ValidationError]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        for path, message in _located(error):
            messages = fields.setdefault(path, [])
            if message not in messages:  # jsonschema repeats "required" once per missing field
                messages.append(message)
    return fields


READ_ONLY = "该项由系统计算，不能填写"


def _deref(schema: Any, forms: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and not ref.startswith("#"):
        return {**forms.get(ref.split("#", 1)[0], {}), **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema if isinstance(schema, dict) else {}


def read_only_errors(schema: Any, data: Any, forms: dict[str, dict[str, Any]], base: str = "") -> dict[str, list[str]]:
    """Values submitted for `readOnly` properties (computed by the server, such as a meeting's
    `members_due`): each refused with the property's `x-readonly-message`."""
    schema = _deref(schema, forms)
    errors: dict[str, list[str]] = {}
    if not isinstance(data, dict):
        return errors
    for name, prop in (schema.get("properties") or {}).items():
        if name not in data:
            continue
        prop = _deref(prop, forms)
        path = _join(base, name)
        if prop.get("readOnly"):
            errors[path] = [str(prop.get("x-readonly-message") or READ_ONLY)]
        elif "properties" in prop:
            errors.update(read_only_errors(prop, data[name], forms, path))
    return errors


def normalized(schema: Any, data: Any, forms: dict[str, dict[str, Any]]) -> Any:
    """A copy of `data` with every money field (`x-format: money`) as typed by people — "500,000",
    "50万" — written the API's way ("500000.00"); what is not an amount is left for the schema to
    refuse."""
    schema = _deref(schema, forms)
    if isinstance(data, str) and schema.get("x-format") == "money":
        fixed = money.normalize(data)
        return fixed if fixed is not None and fixed != data else data
    if isinstance(data, list) and isinstance(schema.get("items"), dict):
        items = [normalized(schema["items"], item, forms) for item in data]
        return items if any(new is not old for new, old in zip(items, data, strict=True)) else data
    if isinstance(data, dict) and schema.get("properties"):
        properties = schema["properties"]
        values = {k: normalized(properties[k], v, forms) if k in properties else v for k, v in data.items()}
        return values if any(values[k] is not data[k] for k in data) else data  # unchanged: the same object
    return data


def validate(forms: dict[str, dict[str, Any]], filename: str, data: Any, version_key: str | None = None) -> dict[str, Any]:
    """Validate a submission against a form (money typed as people type it is normalized first);
    return it, or raise ValidationFailed (422), also for values of server-computed (`readOnly`)
    fields."""
    if not isinstance(data, dict):
        raise ValidationFailed("表单数据应为对象", {"_form": ["表单数据应为对象"]})
    submission: dict[str, Any] = normalized(forms[filename], data, forms)
    validator = validator_for(forms, filename, version_key)
    errors = sorted(validator.iter_errors(submission), key=lambda e: list(e.absolute_path))
    fields = {**_field_errors(errors), **read_only_errors(forms[filename], submission, forms)}
    if fields:
        raise ValidationFailed("表单填写有误，请按提示修改", fields)
    return submission


MAX_COMMENT = 2000  # 审批意见, unless a form declares `x-comment-max-length`


def comment_limit(schema: dict[str, Any]) -> int:
    """How long the step's 审批意见 may be: the form's `x-comment-max-length`, else 2,000."""
    return int(schema.get("x-comment-max-length") or MAX_COMMENT)


def check_comment(schema: dict[str, Any], comment: Any) -> None:
    """A 审批意见 is text of at most `comment_limit` characters (422 on the `comment` field)."""
    if comment is None:
        return
    if not isinstance(comment, str):
        raise ValidationFailed("审批意见须为文本", {"comment": ["审批意见须为文本"]})
    limit = comment_limit(schema)
    if len(comment) > limit:
        raise ValidationFailed("审批意见过长", {"comment": [f"审批意见不能超过 {limit} 字（现为 {len(comment)} 字）"]})


def require_comment(schema: dict[str, Any], data: dict[str, Any], comment: str | None) -> None:
    """Reasons are required for negative decisions (不同意, 退回修改, 终止 …) as the form declares;
    every opinion is bounded (`check_comment`)."""
    check_comment(schema, comment)
    for field, values in (schema.get("x-comment-required-when") or {}).items():
        if data.get(field) in values and not (comment or "").strip():
            raise ValidationFailed("请填写审批意见", {"comment": ["该意见须说明理由，请填写审批意见"]})
