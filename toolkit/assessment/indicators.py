"""The seven quality indicators and the Appendix A descriptors, loaded from data.

The descriptors live in ``toolkit/data/quality_indicators.toml`` so that a reviewer can
check the exact wording and the indicator each one is mapped to in one file, and so the
designation review can show the descriptor text beside each judgement (Strand 4,
Appendix A "Designation Criteria"; DOMAIN.md "Designation").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from toolkit.tracker.schema import INDICATORS, VOCABULARIES


@dataclass(frozen=True)
class Indicator:
    key: str  # "qi1" .. "qi7", the schema's column prefix
    name: str
    short: str
    data_source: str  # "" where the toolkit has no data to suggest a judgement from

    @property
    def number(self) -> int:
        return int(self.key[2:])

    @property
    def label(self) -> str:
        return f"QI{self.number} {self.name}"


@dataclass(frozen=True)
class Descriptor:
    id: str
    designation: str
    indicator: str
    text: str
    related: tuple[str, ...] = ()


@cache
def _load() -> tuple[tuple[Indicator, ...], tuple[Descriptor, ...]]:
    text = resources.files("toolkit").joinpath("data", "quality_indicators.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    indicators = tuple(Indicator(**row) for row in data["indicator"])
    descriptors = tuple(
        Descriptor(
            id=row["id"],
            designation=row["designation"],
            indicator=row["indicator"],
            text=row["text"],
            related=tuple(row.get("related", ())),
        )
        for row in data["descriptor"]
    )
    _check(indicators, descriptors)
    return indicators, descriptors


def _check(indicators: tuple[Indicator, ...], descriptors: tuple[Descriptor, ...]) -> None:
    """The data file must agree with the tracker schema; a typo there is a packaging bug."""
    if [i.key for i in indicators] != [k for k, _ in INDICATORS]:
        raise ValueError("quality_indicators.toml must list qi1..qi7 in schema order")
    keys = {i.key for i in indicators}
    for d in descriptors:
        if d.designation not in VOCABULARIES["designation"]:
            raise ValueError(f"descriptor {d.id}: unknown designation {d.designation!r}")
        if d.indicator not in keys or not set(d.related) <= keys:
            raise ValueError(f"descriptor {d.id}: unknown indicator")


def indicators() -> tuple[Indicator, ...]:
    """The seven indicators in strategy order."""
    return _load()[0]


def indicator(key: str) -> Indicator:
    for i in indicators():
        if i.key == key:
            return i
    raise KeyError(f"no quality indicator {key!r}; use qi1..qi7")


def descriptors(indicator_key: str | None = None, designation: str | None = None) -> list[Descriptor]:
    """Appendix A descriptors, optionally only those mapped to one indicator and/or designation."""
    return [
        d
        for d in _load()[1]
        if (indicator_key is None or d.indicator == indicator_key)
        and (designation is None or d.designation == designation)
    ]


def descriptor_text(indicator_key: str, designation: str | None) -> str:
    """The descriptor wording shown beside a judgement; says so when Appendix A has none."""
    if designation is None:
        return ""
    found = descriptors(indicator_key, designation)
    if found:
        return "; ".join(d.text for d in found)
    related = [d for d in descriptors(designation=designation) if indicator_key in d.related]
    if related:
        return "(related) " + "; ".join(d.text for d in related)
    return f"(Appendix A has no {designation} descriptor for this indicator)"


def resolve_indicator(text: str) -> str:
    """Accept 'qi6', 'QI6', '6', 'Climate' or the full name and return 'qi6' (for what-if input)."""
    t = str(text).strip().lower()
    for i in indicators():
        if t in {i.key, str(i.number), f"qi {i.number}", i.short.lower(), i.name.lower()}:
            return i.key
    raise KeyError(f"{text!r} is not a quality indicator; use qi1..qi7 or a name such as 'Climate'")
