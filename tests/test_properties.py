"""Property-based tests: the loader never raises on any text, and the validator agrees with the schema."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from evidence import schema
from evidence.files import HIDDEN
from evidence.findings import Finding
from evidence.load import parse_yaml

YAMLISH = st.text(alphabet=st.sampled_from([*list("ab:-[]{}&*!|>'\"#%@`, \n\t\\?~0123456789."), "\u202e", "\x00", "é"]), max_size=200)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(YAMLISH)
def test_loader_returns_findings_never_raises(text: str) -> None:
    doc, findings = parse_yaml(text, "f.yaml")
    assert all(isinstance(f, Finding) and f.location.path == "f.yaml" for f in findings)
    if doc.data is None:
        assert findings, "an unusable document always says why"


def visible_text(size: int) -> st.SearchStrategy[str]:
    """Text without hidden characters, which the loader reports by design (E111)."""
    return st.text(max_size=size).filter(lambda s: not HIDDEN.search(s))


scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), visible_text(12), st.sampled_from(["low", "x-y", "a/b", "doe2020trial"]))
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(visible_text(8), inner, max_size=3), max_leaves=8
)
claim = st.fixed_dictionaries(
    {"id": st.sampled_from(["ok-id", "Bad Id", 3]), "statement": scalars, "grade": scalars, "why": scalars, "cite": values},
    optional={"direction": st.sampled_from(["benefit", "nope", 1]), "verdict": scalars, "asserted_by": scalars, "extra": values},
)
topic = st.fixed_dictionaries(
    {"title": scalars, "summary": scalars},
    optional={"claims": st.lists(claim, max_size=2) | values, "related": values, "aliases": values, "sumary": values},
)


@SETTINGS
@given(topic)
def test_validator_and_schema_agree_on_topic_files(data: dict[str, object]) -> None:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    doc, problems = parse_yaml(text, "t.yaml")
    assert problems == []
    expected = list(Draft202012Validator(schema.validator("topic").schema).iter_errors(doc.data))
    found = schema.check(doc, "topic")
    assert bool(found) == bool(expected)
    assert all(f.code[:2] in ("E2", "E4") and f.location.path == "t.yaml" and f.location.line >= 1 for f in found)
