"""The JSON Schemas that define our YAML formats, and their errors as located findings.

The schemas in `schema/` are the single definition of claims.yaml, topic files and study
facts: editors read them through the yaml-language-server modeline, the site publishes them,
and this module turns every violation into `path:line:col: CODE message` with a hint.

Each document is first put to jsonschema-rs, a compiled validator a hundred times faster;
only a document it rejects (or cannot take) goes through `jsonschema`, whose errors carry
what the findings need. So a clean review never imports `jsonschema`, and the findings are
the same: the tests hold the two validators to the same verdicts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .findings import Finding, did_you_mean, error
from .load import JsonPath, YamlDoc

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from jsonschema_rs import Draft202012Validator as FastValidator

SCHEMAS = ("claims", "topic", "studies")

_TYPE_NAMES = {
    "string": "text",
    "array": "a list",
    "object": "a mapping",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}

_DEF_HINTS = {
    "slug": "use lowercase letters, digits and single hyphens, for example crohns-disease",
    "key": "use a BibTeX key: letters, digits and _ : . + -",
    "topicref": "write kind/slug, for example conditions/crohns-disease",
    "line": "write one line of plain text, without < or >, at most 200 characters",
    "text": "write some text",
    "date": "write a date as YYYY-MM-DD",
    "url": "use an http:// or https:// address",
    "comparison": "write the two groups as 'A vs B', for example LDN vs placebo",
}


@cache
def schema_text(name: str) -> str:
    return resources.files(__package__).joinpath("schema", f"{name}.schema.json").read_text("utf-8")


@cache
def validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_text(name))
    return Draft202012Validator(schema)


PYTHON_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
"""What `\\s` matches in Python's `re`; spelled out for jsonschema-rs, whose regex engine differs."""


class _Untranslatable(Exception):
    """A pattern whose meaning could differ between Python's `re` and jsonschema-rs."""


@cache
def fast_validator(name: str) -> FastValidator | None:
    """jsonschema-rs for schema `name`, its patterns made to mean what Python's `re` reads;
    None (so `jsonschema` decides alone) when it is not installed or a pattern cannot be carried over."""
    try:
        import jsonschema_rs

        return jsonschema_rs.Draft202012Validator(_python_patterns(json.loads(schema_text(name))))
    except (ImportError, _Untranslatable):
        return None


def is_valid(data: object, name: str) -> bool:
    """True only when `data` certainly satisfies schema `name`; False means "ask jsonschema"."""
    fast = fast_validator(name)
    try:
        return fast is not None and fast.is_valid(data)
    except Exception:  # values it cannot take, such as integers beyond 64 bits
        return False


def _python_patterns(node: Any) -> Any:
    if isinstance(node, list):
        return [_python_patterns(v) for v in node]
    if isinstance(node, dict):
        return {k: _python_pattern(v) if k == "pattern" and isinstance(v, str) else _python_patterns(v) for k, v in node.items()}
    return node


def _python_pattern(pattern: str) -> str:
    """`pattern` with `\\s` spelled out; other escapes and groups whose meaning may differ are refused."""
    if re.search(r"\\[^sn\\\[\]^$.|?*+(){}/-]|\(\?", pattern):
        raise _Untranslatable(pattern)
    out: list[str] = []
    in_class = False
    chars = iter(pattern)
    for c in chars:
        if c == "\\":
            nxt = next(chars, "")
            out.append((PYTHON_SPACE if in_class else f"[{PYTHON_SPACE}]") if nxt == "s" else c + nxt)
            continue
        in_class = (in_class or c == "[") and not (in_class and c == "]")
        out.append(c)
    return "".join(out)


def check(doc: YamlDoc, name: str) -> list[Finding]:
    """Every schema violation in `doc`, each located on the offending key or value."""
    if doc.data is None or is_valid(doc.data, name):
        return []
    found: list[Finding] = []
    for err in validator(name).iter_errors(doc.data):
        found.extend(f for f in _explain(err, doc) if f not in found)  # one error per missing field names them all
    return found


def _explain(err: ValidationError, doc: YamlDoc) -> Iterator[Finding]:
    path: JsonPath = tuple(err.absolute_path)
    kind = err.validator
    schema: dict[str, Any] = err.schema if isinstance(err.schema, dict) else {}
    where = _field_name(path)
    if kind == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        extras = [k for k in err.instance if k not in known] if isinstance(err.instance, dict) else []
        for extra in extras:
            hint = did_you_mean(extra, known)
            allowed = f"; allowed here: {', '.join(known)}" if not hint and known else ""
            yield error("E201", doc.key_loc((*path, extra)), f"unknown field '{extra}'{where}{hint}{allowed}")
    elif kind == "required":
        missing = err.validator_value if isinstance(err.validator_value, list) else []
        for name in missing:
            if isinstance(err.instance, dict) and name not in err.instance:
                yield error("E203", doc.loc(path), f"missing required field '{name}'{where}")
    elif kind == "dependentRequired":
        deps = err.validator_value if isinstance(err.validator_value, dict) else {}
        for name, needs in deps.items():
            if isinstance(err.instance, dict) and name in err.instance:
                for need in needs:
                    if need not in err.instance:
                        yield error("E203", doc.key_loc((*path, name)), f"'{name}' needs '{need}' as well{where}")
    elif kind == "type":
        yield error("E202", doc.loc(path), _type_message(err, doc, path))
    elif kind == "oneOf":
        yield from _explain_one_of(err, doc)
    elif kind == "enum":
        options = [str(o) for o in err.validator_value] if isinstance(err.validator_value, list) else []
        hint = did_you_mean(str(err.instance), options)
        choose = f"; choose one of: {', '.join(options)}"
        yield error("E204", doc.loc(path), f"{_show(err.instance)} is not allowed{where}{hint or choose}")
    elif kind == "minItems" and path and path[-1] == "cite":
        yield error("E403", doc.loc(path), "claim has no citation; cite at least one reference from references.bib")
    elif kind == "minItems":
        yield error("E204", doc.loc(path), f"list is empty{where}; give at least {err.validator_value} item(s)")
    else:
        yield error("E204", doc.loc(path), f"{_show(err.instance)} is not valid{where}: {_hint(err)}")


def _explain_one_of(err: ValidationError, doc: YamlDoc) -> Iterator[Finding]:
    """A citation is a key or {key, locator}: report against the branch the value resembles."""
    want = 1 if isinstance(err.instance, dict) else 0
    branch = [e for e in err.context or () if e.relative_schema_path and e.relative_schema_path[0] == want]
    if not branch:
        path = tuple(err.absolute_path)
        yield error("E202", doc.loc(path), f"expected a reference key or a mapping with 'key'{_field_name(path)}")
        return
    for sub in branch:
        yield from _explain(sub, doc)


def _type_message(err: ValidationError, doc: YamlDoc, path: JsonPath) -> str:
    wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
    want = " or ".join(_TYPE_NAMES.get(str(w), str(w)) for w in wanted)
    raw = doc.raw.get(path)
    found = _describe(err.instance, raw)
    hint = ""
    if "string" in wanted and raw:
        hint = f'; put it in quotes to keep it as text: "{raw}"'
    return f"expected {want}{_field_name(path)}, found {found}{hint}"


def _describe(value: object, raw: str | None) -> str:
    if value is None:
        return "nothing (an empty value)" if not raw else f"null ({raw})"
    if isinstance(value, bool):
        return f"the boolean {raw or value}"
    if isinstance(value, (int, float)):
        return f"the number {raw or value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the text {_show(value)}"


def _hint(err: ValidationError) -> str:
    for name in SCHEMAS:
        root = validator(name).schema
        defs = root.get("$defs", {}) if isinstance(root, dict) else {}
        for def_name, sub in defs.items():
            if sub == err.schema and def_name in _DEF_HINTS:
                return _DEF_HINTS[def_name]
    return err.message


def _field_name(path: JsonPath) -> str:
    names = [p for p in path if isinstance(p, str)]
    return f" in '{names[-1]}'" if names else ""


def _show(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")
