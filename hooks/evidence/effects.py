"""Study outcomes with their effect estimates, checked against the result text they repeat.

An outcome's optional `effect` restates numbers that its `result` already gives in words (an
estimate, its confidence interval, responders per arm) so that condition pages can draw forest
plots. This module builds `Outcome`s and `Effect`s and refuses numbers that cannot be right
(E420: interval out of order, a ratio at or below 0, more events than people) or that the result
text does not contain as written (E421), so the structured numbers can never drift from the
paraphrased, fact-checked result.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .findings import Finding, Location, error
from .load import JsonPath, YamlDoc
from .model import MEASURES, Arm, Effect, Outcome

_NUMBER = re.compile(r"(?<![\w.])[-\u2212]?\d+(?:\.\d+)?")
_BOUNDS = ("estimate", "low", "high", "level")
LIMIT = 1_000_000_000
"""Largest magnitude the schema allows; anything beyond it is reported there and not built."""


def build_outcomes(doc: YamlDoc, key: str, raw: object, findings: list[Finding]) -> tuple[Outcome, ...]:
    """The outcomes of study `key`; problems with their effects are appended to `findings`."""
    outcomes: list[Outcome] = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, dict) or "name" not in item or "result" not in item:
            continue
        name, result = str(item["name"]), str(item["result"])
        effect = None
        if "effect" in item:
            effect = build_effect(doc, (key, "outcomes", i, "effect"), item["effect"], name, result, findings)
        outcomes.append(Outcome(name, result, effect))
    return tuple(outcomes)


def build_effect(doc: YamlDoc, path: JsonPath, raw: object, name: str, result: str, findings: list[Finding]) -> Effect | None:
    """An `Effect` from its mapping, or None when the schema check has already refused its shape."""
    if not isinstance(raw, dict):
        return None
    numbers = {field: _decimal(doc, (*path, field), raw.get(field)) for field in _BOUNDS}
    measure, comparison = raw.get("measure"), raw.get("comparison")
    if measure not in MEASURES or not isinstance(comparison, str) or " vs " not in comparison:
        return None
    estimate, low, high, level = (numbers[f] for f in _BOUNDS)
    if estimate is None or low is None or high is None or level is None:
        return None
    if max(abs(estimate), abs(low), abs(high)) > LIMIT:
        return None
    effect = Effect(
        measure=measure,
        estimate=estimate,
        low=low,
        high=high,
        level=level,
        comparison=comparison,
        outcome=_text(raw, "outcome") or name,
        location=doc.key_loc(path),
        unit=_text(raw, "unit"),
        better=raw.get("better") if raw.get("better") in ("lower", "higher") else None,
        arms=tuple(_arms(raw.get("arms"))),
    )
    findings.extend(check_effect(effect, doc, path, result))
    return effect


def check_effect(effect: Effect, doc: YamlDoc, path: JsonPath, result: str) -> list[Finding]:
    found: list[Finding] = []
    shown = {f: _literal(doc, (*path, f), getattr(effect, f)) for f in _BOUNDS}
    if not effect.low <= effect.estimate <= effect.high:
        found.append(
            error(
                "E420",
                doc.loc((*path, "estimate")),
                f"effect numbers are out of order: low {shown['low']}, estimate {shown['estimate']}, high {shown['high']}; "
                "the interval must hold the estimate (low <= estimate <= high)",
            )
        )
    if effect.is_ratio and min(effect.low, effect.estimate, effect.high) <= 0:
        found.append(
            error(
                "E420",
                doc.loc((*path, "low")),
                f"{effect.measure} is a ratio, so the estimate and its interval must be above 0 (low is {shown['low']})",
            )
        )
    written = _written_numbers(result)
    checks: list[tuple[str, str, Location]] = [(f, shown[f], doc.loc((*path, f))) for f in _BOUNDS]
    for i, arm in enumerate(effect.arms):
        arm_path = (*path, "arms", i)
        if arm.events > arm.total:
            found.append(
                error(
                    "E420",
                    doc.loc((*arm_path, "events")),
                    f"arm '{arm.label}' has {arm.events} events among {arm.total} people; events cannot exceed the total",
                )
            )
        checks += [
            (f"{f} of arm '{arm.label}'", _literal(doc, (*arm_path, f), Decimal(getattr(arm, f))), doc.loc((*arm_path, f)))
            for f in ("events", "total")
        ]
    for what, literal, where in checks:
        if literal in written:
            continue
        same = [w for w in written if _same_value(w, literal)]
        hint = f" (it writes {same[0]})" if same else ""
        found.append(
            error(
                "E421",
                where,
                f"{what} {literal} does not appear in this outcome's result text{hint}; "
                "copy every number of an effect from the result, written the same way",
            )
        )
    return found


# ---- Helpers -------------------------------------------------------------------------------


def _written_numbers(text: str) -> list[str]:
    """Every number in `text` as written, with a typographic minus read as a hyphen."""
    return [m.group(0).replace("\u2212", "-") for m in _NUMBER.finditer(text)]


def _literal(doc: YamlDoc, path: JsonPath, value: Decimal) -> str:
    """A number as the contributor wrote it in YAML (without a leading +)."""
    return doc.raw.get(path, str(value)).removeprefix("+")


def _decimal(doc: YamlDoc, path: JsonPath, value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = Decimal(_literal(doc, path, Decimal(str(value))))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _same_value(written: str, literal: str) -> bool:
    try:
        return Decimal(written) == Decimal(literal)
    except InvalidOperation:
        return False


def _arms(raw: object) -> list[Arm]:
    arms = []
    for arm in raw if isinstance(raw, list) else []:
        if not isinstance(arm, dict) or not isinstance(arm.get("label"), str):
            continue
        events, total = arm.get("events"), arm.get("total")
        if isinstance(events, int) and isinstance(total, int) and not isinstance(events, bool) and not isinstance(total, bool):
            arms.append(Arm(arm["label"], events, total))
    return arms


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None
