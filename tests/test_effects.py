"""Effect estimates in study facts: parsed as written, and refused when wrong or not in the result text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from test_validate import Edit, S, lines, replace, review

PAIN = "estimate: -1.2, low: -2.0, high: -0.4"
RR = "estimate: 2.00, low: 1.10, high: 3.64"


def test_effects_of_the_scenario_site_are_read_with_their_written_digits(tmp_path: Path) -> None:
    loaded = review(tmp_path)
    assert lines(loaded) == []
    assert loaded.corpus is not None
    pain, responders, plain = loaded.corpus.studies["doe2020trial"].outcomes
    assert pain.effect is not None and responders.effect is not None and plain.effect is None
    assert (pain.effect.outcome, pain.effect.measure, pain.effect.unit) == ("Pain", "MD", "points on a 0-10 scale")
    assert (str(pain.effect.estimate), str(pain.effect.low), str(pain.effect.high)) == ("-1.2", "-2.0", "-0.4")
    assert pain.effect.sides == ("drug", "placebo") and pain.effect.better == "lower" and not pain.effect.is_ratio
    assert responders.effect.outcome == "Responders"  # defaults to the outcome's name
    assert str(responders.effect.estimate) == "2.00" and responders.effect.estimate == Decimal(2)
    assert responders.effect.is_ratio
    assert [(a.label, a.events, a.total) for a in responders.effect.arms] == [("drug", 16, 20), ("placebo", 8, 20)]


SCENARIOS: list[tuple[str, list[Edit], list[str]]] = [
    (
        "interval out of order",
        [replace(S, PAIN, "estimate: -1.2, low: -0.4, high: -2.0")],
        [
            f"{S}:7:187: E420 effect numbers are out of order: low -0.4, estimate -1.2, high -2.0; "
            "the interval must hold the estimate (low <= estimate <= high)"
        ],
    ),
    (
        "estimate outside its interval",
        [replace(S, PAIN, "estimate: -2.4, low: -2.0, high: -0.4"), replace(S, "Mean difference -1.2", "Mean difference -2.4")],
        [
            f"{S}:7:187: E420 effect numbers are out of order: low -2.0, estimate -2.4, high -0.4; "
            "the interval must hold the estimate (low <= estimate <= high)"
        ],
    ),
    (
        "number not in the result text",
        [replace(S, PAIN, "estimate: -1.3, low: -2.0, high: -0.4")],
        [
            f"{S}:7:187: E421 estimate -1.3 does not appear in this outcome's result text; "
            "copy every number of an effect from the result, written the same way"
        ],
    ),
    (
        "same value written differently",
        [replace(S, PAIN, "estimate: -1.20, low: -2.0, high: -0.4")],
        [
            f"{S}:7:187: E421 estimate -1.20 does not appear in this outcome's result text (it writes -1.2); "
            "copy every number of an effect from the result, written the same way"
        ],
    ),
    (
        "a number that is only part of another number does not count",
        [replace(S, "(95% CI -2.0 to -0.4)", "(95% CI -2.05 to -0.4)")],
        [
            f"{S}:7:199: E421 low -2.0 does not appear in this outcome's result text; "
            "copy every number of an effect from the result, written the same way"
        ],
    ),
    (
        "the sign counts",
        [replace(S, "Mean difference -1.2 points", "Mean difference 1.2 points lower")],
        [
            f"{S}:7:192: E421 estimate -1.2 does not appear in this outcome's result text; "
            "copy every number of an effect from the result, written the same way"
        ],
    ),
    (
        "confidence level not in the result text",
        [replace(S, "high: -0.4, level: 95", "high: -0.4, level: 90")],
        [
            f"{S}:7:223: E421 level 90 does not appear in this outcome's result text; "
            "copy every number of an effect from the result, written the same way"
        ],
    ),
    (
        "unknown measure",
        [replace(S, "measure: MD", "measure: MDD")],
        [f"{S}:7:143: E204 'MDD' is not allowed in 'measure'; did you mean 'MD'?"],
    ),
    (
        "ratio at or below zero",
        [replace(S, RR, "estimate: 2.00, low: 0, high: 3.64"), replace(S, "(95% CI 1.10 to", "(95% CI 0 to")],
        [f"{S}:7:402: E420 RR is a ratio, so the estimate and its interval must be above 0 (low is 0)"],
    ),
    (
        "more events than people in an arm",
        [replace(S, "events: 8, total: 20", "events: 21, total: 20"), replace(S, "vs 8 of 20", "vs 21 of 20")],
        [f"{S}:7:550: E420 arm 'placebo' has 21 events among 20 people; events cannot exceed the total"],
    ),
    (
        "arm counts not in the result text",
        [replace(S, "events: 16, total: 20", "events: 15, total: 20")],
        [
            f"{S}:7:508: E421 events of arm 'drug' 15 does not appear in this outcome's result text; "
            "copy every number of an effect from the result, written the same way"
        ],
    ),
    (
        "comparison that is not 'A vs B'",
        [replace(S, "comparison: drug vs placebo, better: lower", "comparison: drug versus placebo, better: lower")],
        [
            f"{S}:7:239: E204 'drug versus placebo' is not valid in 'comparison': "
            "write the two groups as 'A vs B', for example LDN vs placebo"
        ],
    ),
    (
        "missing interval",
        [replace(S, "low: -2.0, high: -0.4, ", "")],
        [f"{S}:7:118: E203 missing required field 'high' in 'effect'", f"{S}:7:118: E203 missing required field 'low' in 'effect'"],
    ),
    (
        "number too large to plot",
        [replace(S, "estimate: -1.2,", "estimate: 1e999,")],
        [f"{S}:7:187: E204 'inf' is not valid in 'estimate': inf is greater than the maximum of 1000000000"],
    ),
    (
        "unknown direction word",
        [replace(S, "better: lower", "better: lesser")],
        [f"{S}:7:264: E204 'lesser' is not allowed in 'better'; choose one of: lower, higher"],
    ),
]


@pytest.mark.parametrize(("edits", "expected"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_effect_findings(tmp_path: Path, edits: list[Edit], expected: list[str]) -> None:
    assert lines(review(tmp_path, *edits)) == expected


def test_typographic_minus_in_the_result_matches_a_hyphen_in_yaml(tmp_path: Path) -> None:
    loaded = review(tmp_path, replace(S, "(95% CI -2.0 to -0.4)", "(95% CI \u22122.0 to \u22120.4)"))
    assert lines(loaded) == []
