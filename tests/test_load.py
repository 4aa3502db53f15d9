"""evidence.load: positioned YAML composition, refused YAML features, and reading files as UTF-8."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.files import read_text
from evidence.findings import Location
from evidence.load import MAX_DEPTH, parse_yaml

F = "f.yaml"
TAG_HINT = "is not allowed; remove it (values are plain text, numbers, lists and mappings)"


def lines(findings: list) -> list[str]:
    return [f.text() for f in findings]


# ---- Valid documents: exact data ----------------------------------------------------------

VALID = [
    ("block mapping", "a: 1\nb: text\n", {"a": 1, "b": "text"}),
    ("nested", "a:\n  b: [1, 2]\n  c: {d: e}\n", {"a": {"b": [1, 2], "c": {"d": "e"}}}),
    ("list root", "- 1\n- two\n", [1, "two"]),
    ("quoted stay text", "a: '1'\nb: \"true\"\nc: 'no'\n", {"a": "1", "b": "true", "c": "no"}),
    ("nulls", "a:\nb: ~\nc: null\nd: NULL\n", {"a": None, "b": None, "c": None, "d": None}),
    ("booleans 1.2", "a: true\nb: False\nc: TRUE\n", {"a": True, "b": False, "c": True}),
    ("numbers", "a: -3\nb: +7\nc: 1e3\nd: .5\n", {"a": -3, "b": 7, "c": 1000.0, "d": 0.5}),
    ("document end marker", "a: 1\n...\n", {"a": 1}),
    ("non-specific tag allowed", "a: ! text\n", {"a": "text"}),
    ("keys are always text", "1: a\ntrue: b\n", {"1": "a", "true": "b"}),
]


@pytest.mark.parametrize(("text", "data"), [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_documents_give_exact_data_and_no_findings(text: str, data: object) -> None:
    doc, findings = parse_yaml(text, F)
    assert findings == []
    assert doc.data == data
    assert doc.path == F


# YAML 1.1 would turn these into booleans, octal, sexagesimal or dates; YAML 1.2 core keeps them.
PITFALLS = [
    ("no", "no", None),
    ("on", "on", None),
    ("yes", "yes", None),
    ("off", "off", None),
    ("1.10", 1.1, "1.10"),
    ("012", 12, "012"),
    ("2024-01-02", "2024-01-02", None),
    ("1_000", "1_000", None),
    ("1:20", "1:20", None),
    ("~", None, "~"),
    ("true", True, "true"),
]


@pytest.mark.parametrize(("scalar", "value", "raw"), PITFALLS, ids=[p[0] for p in PITFALLS])
def test_yaml_1_1_pitfalls_follow_the_1_2_core_schema(scalar: str, value: object, raw: str | None) -> None:
    doc, findings = parse_yaml(f"v: {scalar}\n", F)
    assert findings == []
    assert doc.data == {"v": value}
    assert type(doc.data["v"]) is type(value)  # type: ignore[index]
    assert doc.raw.get(("v",)) == raw


POSITIONS = [
    ("values", (), (1, 1)),
    ("values", ("a",), (1, 4)),
    ("keys", ("a",), (1, 1)),
    ("values", ("b",), (3, 3)),
    ("keys", ("b",), (2, 1)),
    ("values", ("b", 0), (3, 5)),
    ("values", ("b", 1), (4, 5)),
    ("values", ("b", 1, "c"), (4, 9)),
    ("keys", ("b", 1, "c"), (4, 6)),
]


@pytest.mark.parametrize(("table", "path", "where"), POSITIONS)
def test_positions_of_values_and_keys(table: str, path: tuple, where: tuple[int, int]) -> None:
    doc, findings = parse_yaml("a: 1\nb:\n  - x\n  - {c: d}\n", F)
    assert findings == []
    assert getattr(doc, table)[path] == where


def test_positions_cover_exactly_the_document() -> None:
    doc, _ = parse_yaml("a: 1\nb:\n  - x\n  - {c: d}\n", F)
    assert set(doc.values) == {(), ("a",), ("b",), ("b", 0), ("b", 1), ("b", 1, "c")}
    assert set(doc.keys) == {("a",), ("b",), ("b", 1, "c")}
    assert doc.loc(("b", 1, "c", "missing")) == Location(F, 4, 9)
    assert doc.loc(("zzz",)) == Location(F, 1, 1)
    assert doc.key_loc(("b", 0)) == Location(F, 3, 5)


# ---- Problems: exact finding lines -------------------------------------------------------

DEEP_FLOW = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
DEEP_BLOCK = "".join("  " * i + "k:\n" for i in range(MAX_DEPTH + 5)) + "  " * (MAX_DEPTH + 5) + "v\n"
SYNTAX = "E101 YAML syntax error: "
ANCHOR = "E104 anchor '&x' is not allowed; write each value out in full"
ALIAS = "E104 alias '*x' is not allowed; write the value out in full"
SECOND = "E105 a second YAML document ('---') is not allowed; keep one document per file"
EMPTY = "E106 file is empty; it must hold a mapping"
DEEP = f"E108 nesting deeper than {MAX_DEPTH} levels; review files need far fewer"
KEY = "E110 a mapping key must be plain text, not a list or mapping"


def dup(key: str, first: int, again: int) -> str:
    return f"E102 duplicate key '{key}': first at line {first}, again at line {again}; keep only one"


PROBLEMS = [
    ("syntax flow", "a: [1, 2\nb: 3\n", None, [f"f.yaml:2:2: {SYNTAX}did not find expected ',' or ']' while parsing a flow sequence"]),
    ("syntax mapping", "a: b: c\n", None, [f"f.yaml:1:5: {SYNTAX}mapping values are not allowed in this context"]),
    ("bad character", "a:\t\x01\n", None, ["f.yaml:1:4: E101 YAML cannot be read: control characters are not allowed"]),
    ("duplicate key", "a: 1\nb: 2\na: 3\n", {"a": 1, "b": 2}, [f"f.yaml:3:1: {dup('a', 1, 3)}"]),
    ("duplicate key, mapping value", "x:\n  a: 1\n  a: {b: 2}\nc: 4\n", {"x": {"a": 1}, "c": 4}, [f"f.yaml:3:3: {dup('a', 2, 3)}"]),
    ("duplicate quoted key", 'a: 1\n"a": 2\n', {"a": 1}, [f"f.yaml:2:1: {dup('a', 1, 2)}"]),
    ("anchor", "a: &x 1\nb: 2\n", {"a": 1, "b": 2}, [f"f.yaml:1:4: {ANCHOR}"]),
    ("anchor in list", "a:\n  - &x b\n", {"a": ["b"]}, [f"f.yaml:2:5: {ANCHOR}"]),
    ("alias", "a: 1\nb: *x\n", {"a": 1, "b": None}, [f"f.yaml:2:4: {ALIAS}"]),
    ("anchor, alias as key", "a: &x k\n*x : 2\n", {"a": "k"}, [f"f.yaml:1:4: {ANCHOR}", f"f.yaml:2:1: {ALIAS}"]),
    ("tag !!str", "a: !!str 12\n", {"a": 12}, [f"f.yaml:1:4: E103 tag 'tag:yaml.org,2002:str' {TAG_HINT}"]),
    ("tag !foo", "a: !foo bar\n", {"a": "bar"}, [f"f.yaml:1:4: E103 tag '!foo' {TAG_HINT}"]),
    ("tag on mapping", "a: !foo {b: 1}\n", {"a": {"b": 1}}, [f"f.yaml:1:4: E103 tag '!foo' {TAG_HINT}"]),
    ("second document", "a: 1\n---\nb: 2\n", {"a": 1}, [f"f.yaml:2:1: {SECOND}"]),
    ("second document after end", "a: 1\n...\n---\nb: 2\n", {"a": 1}, [f"f.yaml:3:1: {SECOND}"]),
    ("empty file", "", None, [f"f.yaml:1:1: {EMPTY}"]),
    ("only a comment", "# nothing here\n", None, [f"f.yaml:1:1: {EMPTY}"]),
    ("only a document marker", "---\n", None, [f"f.yaml:1:1: {EMPTY}"]),
    ("only a null", "~\n", None, [f"f.yaml:1:1: {EMPTY}"]),
    ("list as key", "? [a, b]\n: 1\nc: 2\n", {"c": 2}, [f"f.yaml:1:3: {KEY}"]),
    ("mapping as key", "{[a]: 1, c: 2}\n", {"c": 2}, [f"f.yaml:1:2: {KEY}"]),
    ("too deep flow", DEEP_FLOW, None, [f"f.yaml:1:{3 + MAX_DEPTH}: {DEEP}"]),
    ("too deep block", DEEP_BLOCK, None, [f"f.yaml:{MAX_DEPTH + 1}:{2 * MAX_DEPTH + 1}: {DEEP}"]),
    ("far too deep", "a: " + "[" * 100_000 + "]" * 100_000, None, [f"f.yaml:1:{3 + MAX_DEPTH}: {DEEP}"]),
]


@pytest.mark.parametrize(("text", "data", "expected"), [p[1:] for p in PROBLEMS], ids=[p[0] for p in PROBLEMS])
def test_problems_give_exact_findings(text: str, data: object, expected: list[str]) -> None:
    doc, findings = parse_yaml(text, F)
    assert lines(findings) == expected
    assert all(f.is_error for f in findings)
    if data is not None:
        assert doc.data == data


def test_depth_just_inside_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH - 1  # the root mapping is the first level
    doc, findings = parse_yaml("a: " + "[" * depth + "]" * depth + "\n", F)
    assert findings == []
    value = doc.data["a"]  # type: ignore[index]
    for _ in range(depth - 1):
        value = value[0]
    assert value == []


# ---- read_text ---------------------------------------------------------------------------

READS = [
    ("utf-8", b"a: caf\xc3\xa9\n", "a: caf\u00e9\n", []),
    ("bom stripped", b"\xef\xbb\xbfa: 1\n", "a: 1\n", []),
    ("latin-1 byte", b"a: 1\nbb: caf\xe9\n", None, ["x/bad.yaml:2:8: E107 file is not valid UTF-8 (byte 0xe9); save it as UTF-8"]),
    ("first byte", b"\xff", None, ["x/bad.yaml:1:1: E107 file is not valid UTF-8 (byte 0xff); save it as UTF-8"]),
    ("truncated sequence", b"a: \xe2\x82\n", None, ["x/bad.yaml:1:4: E107 file is not valid UTF-8 (byte 0xe2); save it as UTF-8"]),
]


@pytest.mark.parametrize(("data", "text", "expected"), [r[1:] for r in READS], ids=[r[0] for r in READS])
def test_read_text(tmp_path: Path, data: bytes, text: str | None, expected: list[str]) -> None:
    file = tmp_path / "bad.yaml"
    file.write_bytes(data)
    got, findings = read_text(file, "x/bad.yaml")
    assert got == text
    assert lines(findings) == expected


def test_read_text_missing_file(tmp_path: Path) -> None:
    got, findings = read_text(tmp_path / "nope.yaml", "nope.yaml")
    assert got is None
    assert lines(findings) == ["nope.yaml: E107 cannot read file: No such file or directory"]


def test_read_text_column_counts_characters(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_bytes("é: ".encode() + b"\xe9\n")  # the bad byte is the 4th character, 5th byte
    _, findings = read_text(file, "bad.yaml")
    assert lines(findings) == ["bad.yaml:1:4: E107 file is not valid UTF-8 (byte 0xe9); save it as UTF-8"]


def test_libyaml_parser_is_used() -> None:
    """PyYAML does not re-export libyaml's parser as yaml.CParser; the pure-Python fallback is ~8x slower."""
    import yaml

    from evidence import load

    assert yaml.__with_libyaml__, "PyYAML was installed without libyaml"
    assert load._Parser is yaml.cyaml.CParser
