"""One generic HTML form for every JSON-schema form in `bpmn/forms/` (DESIGN §2).

`build(...)` turns a schema, the current values and the server's field errors into a tree of
`Field`s that one Jinja macro renders; `parse(...)` turns the submitted HTML fields (flat names
such as `meeting.attendance.0.status`) back into the typed JSON the schema describes. Values that do
not convert (a number typed as "abc") are kept as text, so jsonschema reports them next to the
field and the page shows what the user typed.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from workflows.labels import option_title

BLANK_ROWS = 1  # empty rows offered under a table of objects (filled ones are kept, empty ones dropped)
MAX_ROWS = 1000  # a table's rows when its schema sets no maxItems
ROW_INDEX = "__i__"  # the row index of a table's prototype row, which 添加一行 copies (forms.js)


@dataclass
class Option:
    value: str
    label: str
    group: str = ""
    search: str = ""  # what a picker's search box matches (a person: names, username, unit, pinyin)


@dataclass
class Field:
    """One form field (or group of fields) ready to render.

    `kind` is one of: text, textarea, number, integer, date, choice, radio, boolean, check,
    user, users, multi, lines, group, table, attendance (a meeting's roster, one row per member),
    fixed (a value shown, sent back unchanged), unknown.
    """

    path: str
    label: str
    kind: str
    required: bool = False
    value: Any = None
    errors: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    description: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    display: str = ""  # read-only text of the value
    prototype: list[Field] = field(default_factory=list)  # an input table's blank row, indexed ROW_INDEX
    id_prefix: str = ""  # keeps DOM ids unique when several small forms share field names (action dialogs)

    @property
    def dom_id(self) -> str:
        return "f-" + self.id_prefix + self.path.replace(".", "-")


OptionsFor = Callable[[str, dict[str, Any]], list[Option]]


@dataclass
class FormContext:
    """What building a form needs besides the schema: shared blocks, user choices and names.

    `editing` builds an input form: fields the server computes (`readOnly`) are left out. A
    read-only view shows them, except those marked `"x-display": false`. `roster` is the
    meeting roster of the step (`rules.meeting.roster_view`): an attendance field lists its
    members, and the vote fields only the body's options. An input table offers one blank row
    (two for a table in `more_rows`) within its `maxItems`.
    """

    blocks: dict[str, dict[str, Any]] = field(default_factory=dict)
    options_for: OptionsFor | None = None
    user_names: dict[str, str] = field(default_factory=dict)
    unit_names: dict[str, str] = field(default_factory=dict)  # unit code → name, for unit fields read back
    errors: dict[str, list[str]] = field(default_factory=dict)
    editing: bool = False
    roster: dict[str, Any] | None = None
    more_rows: frozenset[str] = frozenset()  # tables whose 添加一行 was pressed without JavaScript

    def shows(self, schema: dict[str, Any]) -> bool:
        """Whether a property is part of this form (input) or view (read-only)."""
        if self.editing:
            return not schema.get("readOnly")
        return schema.get("x-display", True) is not False


def resolve(schema: dict[str, Any], blocks: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """Inline a `$ref` to a block file (e.g. "blocks/meeting.json"); local keys win."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        target = dict(blocks.get(ref.split("#", 1)[0], {}))
        target.update({k: v for k, v in schema.items() if k != "$ref"})
        return target
    return schema


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def _is_checklist(schema: dict[str, Any], blocks: Mapping[str, dict[str, Any]]) -> bool:
    props = schema.get("properties") or {}
    return bool(props) and all(_type(resolve(p, blocks)) == "boolean" for p in props.values())


def _array_kind(schema: dict[str, Any], blocks: Mapping[str, dict[str, Any]]) -> str:
    if schema.get("x-widget") == "attendance":
        return "attendance"
    items = resolve(schema.get("items") or {}, blocks)
    if _type(items) == "object":
        return "table"
    if schema.get("x-widget") == "users" or items.get("x-widget") == "user":
        return "users"
    return "multi" if items.get("oneOf") else "lines"


def _string_kind(schema: dict[str, Any]) -> str:
    widget = schema.get("x-widget")
    if schema.get("oneOf"):
        return "radio" if len(schema["oneOf"]) <= 4 and widget != "select" else "choice"
    if widget == "user":
        return "user"
    if schema.get("format") == "date":
        return "date"
    if widget == "textarea" or int(schema.get("maxLength", 0)) > 500:
        return "textarea"
    return "text"


def kind_of(schema: dict[str, Any], blocks: Mapping[str, dict[str, Any]], in_checklist: bool = False) -> str:
    """The widget kind for a property schema (see `Field`)."""
    schema = resolve(schema, blocks)
    kind = _type(schema)
    if kind == "object":
        return "group"
    if kind == "array":
        return _array_kind(schema, blocks)
    if kind == "boolean":
        return "check" if in_checklist or schema.get("x-widget") == "checkbox" else "boolean"
    if kind in ("integer", "number"):
        return kind
    return _string_kind(schema)


def _options(schema: dict[str, Any], kind: str, ctx: FormContext) -> list[Option]:
    if kind in ("radio", "choice"):
        return [Option(str(o.get("const")), str(o.get("title", o.get("const")))) for o in schema.get("oneOf", [])]
    if kind == "multi":
        return _options(resolve(schema.get("items") or {}, ctx.blocks), "choice", ctx)
    if kind in ("user", "users") and ctx.options_for is not None:
        return ctx.options_for(kind, schema)
    return []


def _attrs(schema: dict[str, Any], kind: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key, attr in (("minimum", "min"), ("maximum", "max"), ("maxLength", "maxlength")):
        if key in schema:
            attrs[attr] = schema[key]
    if kind == "number":
        attrs["step"] = "any"
    if kind == "integer":
        attrs["step"] = 1
    return attrs


def _display(value: Any, kind: str, schema: dict[str, Any], ctx: FormContext) -> str:
    """How a stored value reads back (option titles, names for usernames and unit codes, 是/否)."""
    if value is None or value == "" or value == []:
        return ""
    if schema.get("x-widget") == "unit":
        return ctx.unit_names.get(str(value), str(value))
    if kind in ("radio", "choice"):
        return option_title(schema, value) or str(value)
    if kind == "multi":
        items = resolve(schema.get("items") or {}, ctx.blocks)
        return "、".join(option_title(items, v) or str(v) for v in value) if isinstance(value, list) else str(value)
    if kind == "user":
        return ctx.user_names.get(str(value), str(value))
    if kind in ("users", "lines"):
        values = value if isinstance(value, list) else [value]
        return "、".join(ctx.user_names.get(str(v), str(v)) for v in values)
    return str(value)


def _field(name: str, path: str, schema: dict[str, Any], value: Any, required: bool, ctx: FormContext,
           in_checklist: bool = False) -> Field:
    schema = resolve(schema, ctx.blocks)
    kind = kind_of(schema, ctx.blocks, in_checklist)
    result = Field(path=path, label=str(schema.get("title") or name), kind=kind, required=required, value=value,
                   errors=list(ctx.errors.get(path, [])), description=str(schema.get("description") or ""),
                   attrs=_attrs(schema, kind))
    if kind == "group":
        result.children = fields_of(schema, value if isinstance(value, dict) else {}, ctx, path)
        if schema.get("x-widget") == "votes" and ctx.roster is not None:  # the body's vote options only
            options = {f"{path}.{o}" for o in ctx.roster.get("vote_options", [])}
            result.children = [c for c in result.children if c.path in options]
    elif kind == "table":
        _table(result, schema, value, ctx)
    elif kind == "attendance":
        _attendance(result, schema, value, ctx)
    else:
        result.options = _options(schema, kind, ctx)
        result.display = _display(value, kind, schema, ctx)
    return result


def _row(result: Field, props: dict[str, Any], required: set[str], row: dict[str, Any], index: int | str,
         ctx: FormContext) -> list[Field]:
    base = f"{result.path}.{index}"
    cells = [_field(n, f"{base}.{n}", p, row.get(n), n in required, ctx) for n, p in props.items()]
    for cell in cells:  # a table cell has room for a drop-down, not a row of radio buttons
        cell.kind = "choice" if cell.kind == "radio" else cell.kind
    return cells


def _table(result: Field, schema: dict[str, Any], value: Any, ctx: FormContext) -> None:
    items = resolve(schema.get("items") or {}, ctx.blocks)
    rows = [row if isinstance(row, dict) else {} for row in (value if isinstance(value, list) else [])]
    limit = int(schema.get("maxItems", MAX_ROWS))
    wanted = BLANK_ROWS + (1 if result.path in ctx.more_rows else 0)
    blank = max(0, min(wanted, limit - len(rows)))
    required = set(items.get("required") or [])
    props = items.get("properties") or {}
    result.columns = [str(resolve(p, ctx.blocks).get("title") or n) for n, p in props.items()]
    result.rows = [_row(result, props, required, row, index, ctx) for index, row in enumerate(rows + [{}] * blank)]
    if ctx.editing:
        result.prototype = _row(result, props, required, {}, ROW_INDEX, ctx)
        result.attrs.update(max_items=limit, full=len(result.rows) >= limit)


def _attendance_members(value: Any, ctx: FormContext) -> list[tuple[str, str, str]]:
    """(username, label, why they must recuse) per row: the roster's members when editing, else
    the members the record names."""
    if ctx.roster is not None:
        return [(m["username"], f"{m['name']} · {m['post']}" if m.get("post") else m["name"], m.get("must_recuse", ""))
                for m in ctx.roster.get("members", [])]
    rows = value if isinstance(value, list) else []
    names = [str(r.get("member", "")) for r in rows if isinstance(r, dict)]
    return [(n, ctx.user_names.get(n, n), "") for n in names]


def _attendance(result: Field, schema: dict[str, Any], value: Any, ctx: FormContext) -> None:
    """One row per member: the name (sent back as is), 出席/缺席/回避, and the reason. A member
    who must recuse (R-C1) starts as 回避 with the reason filled in."""
    props = resolve(schema.get("items") or {}, ctx.blocks).get("properties") or {}
    given = {r.get("member"): r for r in (value if isinstance(value, list) else []) if isinstance(r, dict)}
    result.columns = [str(p.get("title") or n) for n, p in props.items()]
    for index, (username, label, forced) in enumerate(_attendance_members(value, ctx)):
        row = given.get(username) or ({"status": "recused", "reason": forced} if forced else {})
        base = f"{result.path}.{index}"
        member = Field(path=f"{base}.member", label=str(props["member"].get("title", "")), kind="fixed",
                       value=username, display=label, errors=list(ctx.errors.get(f"{base}.member", [])))
        cells = [_field(n, f"{base}.{n}", p, row.get(n), n == "status", ctx) for n, p in props.items() if n != "member"]
        result.rows.append([member, *cells])
        if forced:
            member.description = f"须回避：{forced}"


def fields_of(schema: dict[str, Any], values: Mapping[str, Any], ctx: FormContext, base: str = "",
              skip: frozenset[str] = frozenset()) -> list[Field]:
    """The fields of an object schema, in schema order, with values and errors filled in."""
    schema = resolve(schema, ctx.blocks)
    required = set(schema.get("required") or [])
    hidden = set(schema.get("x-server-fields") or []) | set(skip)
    checklist = _is_checklist(schema, ctx.blocks)
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        if name in hidden or not ctx.shows(resolve(prop, ctx.blocks)):
            continue
        path = f"{base}.{name}" if base else name
        out.append(_field(name, path, prop, values.get(name), name in required, ctx, checklist))
    return out


# ---------------------------------------------------------------- parsing

Submitted = Mapping[str, list[str]]


def _first(form: Submitted, path: str) -> str | None:
    values = form.get(path) or []
    return values[0] if values else None


def _number(text: str, kind: str) -> Any:
    try:
        return int(text) if kind == "integer" or text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return text  # kept as typed: the schema reports it next to the field


def _scalar(form: Submitted, path: str, kind: str) -> Any:
    raw = _first(form, path)
    if kind == "check":
        return raw is not None and raw not in ("", "false", "0")
    if raw is None:
        return None
    text = raw.replace("\r\n", "\n").strip()
    if text == "":
        return None
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind in ("integer", "number"):
        return _number(text, kind)
    return text


def _row_indexes(form: Submitted, path: str) -> list[int]:
    prefix = path + "."
    found = set()
    for key in form:
        if key.startswith(prefix):
            head = key[len(prefix):].split(".", 1)[0]
            if head.isdigit():
                found.add(int(head))
    return sorted(found)


def _value(form: Submitted, path: str, schema: dict[str, Any], blocks: Mapping[str, dict[str, Any]],
           in_checklist: bool = False) -> Any:
    schema = resolve(schema, blocks)
    kind = kind_of(schema, blocks, in_checklist)
    if kind == "group":
        obj = parse_object(form, schema, blocks, path)
        return obj or None
    if kind in ("table", "attendance"):
        items = resolve(schema.get("items") or {}, blocks)
        rows = [parse_object(form, items, blocks, f"{path}.{i}") for i in _row_indexes(form, path)]
        rows = [row for row in rows if row]
        return rows or None
    if kind in ("users", "multi"):
        chosen = [v.strip() for v in form.get(path) or [] if v.strip()]
        return chosen or None
    if kind == "lines":
        text = _first(form, path) or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines or None
    return _scalar(form, path, kind)


def parse_object(form: Submitted, schema: dict[str, Any], blocks: Mapping[str, dict[str, Any]],
                 base: str = "", skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The JSON object an HTML form submitted for an object schema; empty fields are left out."""
    schema = resolve(schema, blocks)
    hidden = set(schema.get("x-server-fields") or []) | set(skip)
    checklist = _is_checklist(schema, blocks)
    data: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if name in hidden or resolve(prop, blocks).get("readOnly"):  # computed by the server, never posted
            continue
        path = f"{base}.{name}" if base else name
        value = _value(form, path, prop, blocks, checklist)
        if value is not None:
            data[name] = value
    return data


def _leaves(schema: dict[str, Any], values: Any, blocks: Mapping[str, dict[str, Any]]) -> Iterator[
        tuple[dict[str, Any], str, Any]]:
    """(schema, kind, value) of every field below groups and table rows that holds a value."""
    schema = resolve(schema, blocks)
    kind = kind_of(schema, blocks)
    if kind == "group" and isinstance(values, dict):
        for name, prop in (schema.get("properties") or {}).items():
            yield from _leaves(prop, values.get(name), blocks)
    elif kind in ("table", "attendance") and isinstance(values, list):
        for row in values:
            yield from _leaves(schema.get("items") or {}, row, blocks)
    elif values is not None:
        yield schema, kind, values


def usernames_in(schema: dict[str, Any], values: Any, blocks: Mapping[str, dict[str, Any]]) -> set[str]:
    """Every username held by a user/users field of `values` (to look their names up at once)."""
    found: set[str] = set()
    for _, kind, value in _leaves(schema, values, blocks):
        if kind == "user" and isinstance(value, str):
            found.add(value)
        elif kind == "users" and isinstance(value, list):
            found |= {v for v in value if isinstance(v, str)}
    return found


def unit_codes_in(schema: dict[str, Any], values: Any, blocks: Mapping[str, dict[str, Any]]) -> set[str]:
    """Every unit code held by a unit field (`"x-widget": "unit"`) of `values`."""
    return {value for field_schema, _, value in _leaves(schema, values, blocks)
            if field_schema.get("x-widget") == "unit" and isinstance(value, str)}
