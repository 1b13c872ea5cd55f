"""Reading what people actually type into a tracker cell, one whole column at a time.

Data managers paste from other systems, type ``93%`` or ``0.93`` for the same thing, leave
trailing spaces after a dropdown value and write dates as text. This module turns a column
of raw cell values (as ``python-calamine`` returns them: ``str``, ``float``, ``bool``,
``datetime`` / ``date``, or ``""`` for an empty cell) into the typed column the
``Tracker`` promises, and says which cells it could not read and why.

The work is vectorised per column (pandas string and numeric operations on the whole
column), so a 150,000-row tracker is read in seconds; only leftovers that need a person's
judgement (an unusual date spelling, a misspelt dropdown value) are handled one by one.

Each parser returns a :class:`ParsedColumn`: the values, the DfE suppression codes (for
columns that accept them) and a list of :class:`CellIssue` masks. ``toolkit.tracker.reader``
turns the masks into ``Problem`` objects with the sheet and cell reference.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.calendar.terms import AcademicYear
from toolkit.privacy.text import find_control, strip_control
from toolkit.tracker.problems import Severity
from toolkit.tracker.schema import SUPPRESSION_CODES, VOCABULARIES, Column, Kind

# Excel's 1900 date system counts days from 30 December 1899 (the 1900 leap-year bug
# is absorbed by starting the count a day early).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Dates outside these years are typing slips (2062 for 2026) or numbers in a date column.
EARLIEST_DATE = pd.Timestamp("1950-01-01")
LATEST_DATE = pd.Timestamp("2100-12-31")
_SUPPRESSION = frozenset(SUPPRESSION_CODES)
# Excel's limit on the characters in one cell (Excel specifications and limits).
EXCEL_CELL_LIMIT = 32_767
# Numeric date spellings, UK day-first, tried in this order on the whole column.
_NUMERIC_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
)
_TEXT_DATE_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d-%B-%Y",
    "%d %b %y",
    "%a %d %b %Y",
    "%A %d %B %Y",
)
_HAS_YEAR = re.compile(r"\b(19|20|21)\d\d\b")
_HAS_LETTER = re.compile(r"[A-Za-z]")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


@dataclass
class CellIssue:
    """Cells of one column that share a problem: a mask, and how to word it per cell."""

    severity: Severity
    code: str
    mask: pd.Series  # bool, indexed like the column (by Excel row number)
    message: Callable[[object], str]  # raw cell value -> sentence
    fix: str


@dataclass
class ParsedColumn:
    values: pd.Series
    codes: pd.Series | None = None  # suppression code per row, or None, for suppressible columns
    issues: list[CellIssue] = field(default_factory=list)
    blank: pd.Series | None = None  # True where the cell was empty (or only spaces)


# --------------------------------------------------------------------------- helpers


def shown(value: object) -> str:
    """A cell value as the person typed it, for messages."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return (
            value.strftime("%d/%m/%Y")
            if value.time() == dt.time()
            else value.strftime("%d/%m/%Y %H:%M")
        )
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return repr(value) if isinstance(value, str) else str(value)


def types_of(raw: pd.Series) -> pd.Series:
    return raw.map(type)


def per_unique(values: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """``values.map(fn)``, calling ``fn`` once per distinct value.

    Tracker columns repeat a few values thousands of times (terms, groups, designations),
    so hashing the column (``pd.factorize``, in C) and working on the distinct values is
    the vectorised way to apply Python-level rules to text.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [fn(u) for u in uniques]
    mapped[-1] = None  # code -1: a missing value
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _is_blank_text(text: object) -> bool:
    return not str(text).strip()


def blank_mask(raw: pd.Series, types: pd.Series | None = None) -> pd.Series:
    """True for an empty cell or one holding only spaces."""
    types = types_of(raw) if types is None else types
    is_str = types.isin((str,))
    blank = raw.isna()
    if is_str.any():
        strings = raw[is_str]
        empty = strings.eq("")
        blank = blank | (is_str & raw.eq(""))
        rest = strings[~empty]
        if len(rest):
            spaces = per_unique(rest, _is_blank_text).astype(bool)
            blank[spaces[spaces].index] = True
    return blank


def _texts(raw: pd.Series, is_str: pd.Series) -> pd.Series:
    """Stripped text of the string cells (other rows are absent from the result)."""
    return per_unique(raw[is_str], lambda v: str(v).strip()).astype(str)


def normalise_choice(text: str) -> str:
    """Case, spacing and hyphen variants of a dropdown value compare equal."""
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())


def suggest(value: str, allowed: tuple[str, ...]) -> str | None:
    """The allowed value closest to a misspelt one, if any is close.

    A value with no letters (a number typed into the wrong column) gets no guess: digits
    alone make misleading matches, e.g. 123456 against '2035/36'.
    """
    if not any(ch.isalpha() for ch in value):
        return None
    lowered = {a.casefold(): a for a in allowed}
    match = difflib.get_close_matches(value.casefold().strip(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def _nones(index: pd.Index) -> pd.Series:
    """An object column of None (``pd.Series(None, dtype=object)`` gives NaN in pandas 3)."""
    return pd.Series([None] * len(index), index=index, dtype=object)


def _empty_issue_mask(index: pd.Index) -> pd.Series:
    return pd.Series(False, index=index, dtype=bool)


def _suppression(col: Column, texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split string cells into suppression codes and the rest (lower-case code or None)."""
    lowered = texts.str.lower()
    is_code = lowered.isin(_SUPPRESSION)
    return is_code, lowered


def _code_issues(col: Column, index: pd.Index, is_code: pd.Series) -> list[CellIssue]:
    """A DfE suppression code in a column that cannot be suppressed is an error."""
    if col.suppressible or not is_code.any():
        return []
    mask = _empty_issue_mask(index)
    mask[is_code[is_code].index] = True
    return [
        CellIssue(
            Severity.ERROR,
            "suppression-not-allowed",
            mask,
            lambda v: (
                f"{shown(v)} is a DfE suppression code, but '{col.header}' cannot be suppressed."
            ),
            f"Type the figure for '{col.header}', or leave the cell blank if it is not known.",
        )
    ]


# --------------------------------------------------------------------------- numbers


def parse_numbers(raw: pd.Series, col: Column) -> ParsedColumn:
    """NUMBER, INT and PERCENT columns.

    Accepts numbers, numbers stored as text (``"12"``, ``" 1,234 "``), ``"93%"``, and, in a
    suppressible column, DfE suppression codes (kept as NaN plus the code, never 0).
    Percentages follow :func:`percent_scale`.
    """
    index = raw.index
    types = types_of(raw)
    blank = blank_mask(raw, types)
    is_num = types.isin((float, int)) & ~blank
    is_str = (types.isin((str,))) & ~blank
    values = pd.Series(np.nan, index=index, dtype="float64")
    values[is_num] = raw[is_num].astype("float64")
    pct_text = _empty_issue_mask(index)
    is_code = _empty_issue_mask(index)
    codes_text = pd.Series(dtype=object)
    bad = ~blank & ~is_num & ~is_str  # bools, dates, times
    if is_str.any():
        texts = _texts(raw, is_str)
        code_here, lowered = _suppression(col, texts)
        is_code[code_here[code_here].index] = True
        codes_text = lowered[code_here]
        rest = texts[~code_here]
        has_pct = rest.str.endswith("%")
        cleaned = rest.str.removesuffix("%").str.strip().str.replace(",", "", regex=False)
        numbers = pd.to_numeric(cleaned, errors="coerce")
        values[numbers.index] = numbers
        pct_text[has_pct[has_pct].index] = True
        bad[numbers[numbers.isna()].index] = True
    issues: list[CellIssue] = []
    if bad.any():
        allowed = " or a DfE suppression code (x, c, SUPP, NE, NP, low)" if col.suppressible else ""
        issues.append(
            CellIssue(
                Severity.ERROR,
                "not-a-number",
                bad.copy(),
                lambda v: f"{shown(v)} is not a number, but '{col.header}' needs one.",
                f"Type a number{allowed}, or leave the cell blank. {col.help}",
            )
        )
    issues += _code_issues(col, index, is_code)
    if col.kind is Kind.PERCENT:
        values, pct_issues = percent_scale(values, pct_text, col)
        issues += pct_issues
    if col.kind is Kind.INT:
        fractional = values.notna() & (values != np.floor(values.fillna(0)))
        if fractional.any():
            issues.append(
                CellIssue(
                    Severity.ERROR,
                    "not-a-whole-number",
                    fractional,
                    lambda v: (
                        f"{shown(v)} is not a whole number, but '{col.header}' counts things."
                    ),
                    f"Type a whole number. {col.help}",
                )
            )
            values[fractional] = np.nan
    issues += _range_issues(values, col)
    codes = None
    if col.suppressible:
        codes = _nones(index)
        codes[codes_text.index] = codes_text.astype(object)
    out = values.round().astype("Int64") if col.kind is Kind.INT else values
    return ParsedColumn(out, codes, issues, blank=blank)


def percent_scale(
    values: pd.Series, pct_text: pd.Series, col: Column
) -> tuple[pd.Series, list[CellIssue]]:
    """Put a PERCENT column on the 0-100 scale, deciding the style per column.

    Excel stores a cell formatted as a percentage as a fraction (93% is stored 0.93), while
    people typing into a plain cell write 93; and some real percentages are below 1
    (0.8% severe absence). So the style is judged on the whole column:

    1. text ending in ``%`` is read as written: ``"93%"`` is 93, ``"0.8%"`` is 0.8;
    2. if every number in the column is between 0 and 1, the column holds fractions
       (percent-formatted cells) and each is multiplied by 100: 0.93 is 93;
    3. otherwise the column is on the 0-100 scale and numbers are read as written, so
       0.8 beside 2.3 and 5.1 is 0.8%. A number between 0 and 1 whose value times 100
       falls inside the range of the column's other numbers (0.951 in a column of 88 to
       97) looks like a stray fraction: it is still read as written, with a warning on
       that cell saying how to write 95.1%.
    """
    numeric = values.notna() & ~pct_text
    fraction = numeric & (values >= 0) & (values <= 1)
    over_one = numeric & (values > 1)
    out = values.copy()
    issues: list[CellIssue] = []
    if not over_one.any():
        out[fraction] = values[fraction] * 100
        return out, issues
    lo, hi = values[over_one].min(), values[over_one].max()
    stray = fraction & (values > 0) & (values * 100 >= lo) & (values * 100 <= hi)
    if stray.any():
        issues.append(
            CellIssue(
                Severity.WARNING,
                "percent-ambiguous",
                stray,
                lambda v: (
                    f"{shown(v)} was read as {_as_float(v):g}%, but the other figures in "
                    f"'{col.header}' run from {lo:g} to {hi:g}, so it may be a fraction "
                    f"meaning {_as_float(v) * 100:g}%."
                ),
                "If you meant the larger figure, type it on the 0-100 scale (e.g. 93 for 93%); "
                "if the small figure is right, type it with a % sign (e.g. 0.8%) to confirm it.",
            )
        )
    return out, issues


def _as_float(value: object) -> float:
    return float(str(value).strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]


def _range_issues(values: pd.Series, col: Column) -> list[CellIssue]:
    """Schema minimum and maximum; percentages are checked after scaling to 0-100."""
    too_low = values.notna() & (values < col.minimum) if col.minimum is not None else None
    too_high = values.notna() & (values > col.maximum) if col.maximum is not None else None
    mask = None
    for m in (too_low, too_high):
        if m is not None and m.any():
            mask = m if mask is None else mask | m
    if mask is None:
        return []
    lo = "" if col.minimum is None else f"{col.minimum:g}"
    hi = "" if col.maximum is None else f"{col.maximum:g}"
    bounds = f"from {lo} to {hi}" if lo and hi else (f"at least {lo}" if lo else f"at most {hi}")
    unit = " (percentages are on a 0-100 scale)" if col.kind is Kind.PERCENT else ""
    values[mask] = np.nan  # an impossible figure is not used
    return [
        CellIssue(
            Severity.ERROR,
            "out-of-range",
            mask,
            lambda v: (
                f"{shown(v)} is outside the allowed range for '{col.header}': {bounds}{unit}."
            ),
            f"Correct the figure; '{col.header}' must be {bounds}{unit}.",
        )
    ]


# --------------------------------------------------------------------------- URNs


def parse_urns(raw: pd.Series, col: Column) -> ParsedColumn:
    """A URN is a 6-digit number (GIAS); accepted as a number or as digits stored as text."""
    index = raw.index
    types = types_of(raw)
    blank = blank_mask(raw, types)
    values = pd.Series(np.nan, index=index, dtype="float64")
    is_num = types.isin((float, int)) & ~blank
    values[is_num] = raw[is_num].astype("float64")
    is_str = (types.isin((str,))) & ~blank
    if is_str.any():
        texts = _texts(raw, is_str)
        digits = texts.str.fullmatch(r"\d+(\.0+)?")
        values[texts[digits].index] = pd.to_numeric(texts[digits], errors="coerce")
    ok = (
        values.notna()
        & (values >= 100000)
        & (values <= 999999)
        & (values == np.floor(values.fillna(0)))
    )
    is_code = _codes_in(raw, is_str)
    bad = ~blank & ~ok & ~is_code
    issues = []
    if bad.any():
        issues.append(
            CellIssue(
                Severity.ERROR,
                "urn-invalid",
                bad,
                lambda v: f"{shown(v)} is not a URN: a URN is a 6-digit number.",
                "Type the school's 6-digit URN as shown on Get Information About Schools.",
            )
        )
    values[~ok] = np.nan
    out = values.astype("Int64")
    if not out.isna().any():
        out = out.astype("int64")
    return ParsedColumn(out, None, issues + _code_issues(col, index, is_code), blank=blank)


def _codes_in(raw: pd.Series, is_str: pd.Series) -> pd.Series:
    mask = _empty_issue_mask(raw.index)
    if is_str.any():
        lowered = _texts(raw, is_str).str.lower()
        mask[lowered[lowered.isin(_SUPPRESSION)].index] = True
    return mask


# --------------------------------------------------------------------------- dates


def excel_serial_to_timestamp(serial: pd.Series) -> pd.Series:
    """Excel's 1900-system serial day numbers (46056 is 3 Feb 2026) as Timestamps."""
    return EXCEL_EPOCH + pd.to_timedelta(serial.astype("float64").round(), unit="D")


def parse_text_dates(texts: pd.Series) -> pd.Series:
    """Dates typed as text, UK day-first: 03/02/2026, 3/2/26, 2026-02-03, 3 Feb 2026.

    Numeric spellings are read strictly day/month/year (ISO year-first is unambiguous), so
    02/13/2026 (a US date) is refused rather than guessed. Spellings with a month name
    fall back to ``dateutil`` with ``dayfirst=True``, and only when a 4-digit year is present
    (so "3 Feb" is not silently given this year).
    """
    out = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    todo = texts
    for fmt in (*_NUMERIC_DATE_FORMATS, *_TEXT_DATE_FORMATS):
        if todo.empty:
            break
        got = pd.to_datetime(todo, format=fmt, errors="coerce")
        hit = got.notna()
        if hit.any():
            out[got[hit].index] = got[hit].astype("datetime64[ns]")
            todo = todo[~hit]
    if not todo.empty:
        from dateutil import parser as du

        for idx, text in todo.items():
            if not (_HAS_LETTER.search(text) and _HAS_YEAR.search(text)):
                continue
            try:
                out[idx] = pd.Timestamp(du.parse(text, dayfirst=True, fuzzy=False)).normalize()
            except (ValueError, OverflowError):
                continue
    return out


def parse_dates(raw: pd.Series, col: Column) -> ParsedColumn:
    """DATE columns: real Excel dates, Excel serial numbers, or dates typed as text."""
    index = raw.index
    types = types_of(raw)
    blank = blank_mask(raw, types)
    out = pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    is_dt = types.isin((dt.datetime, pd.Timestamp)) & ~blank
    is_date = types.isin((dt.date,)) & ~blank
    if is_dt.any():
        out[is_dt] = pd.to_datetime(raw[is_dt].tolist()).normalize().astype("datetime64[ns]")
    if is_date.any():
        out[is_date] = pd.to_datetime(raw[is_date].tolist()).astype("datetime64[ns]")
    is_num = types.isin((float, int)) & ~blank
    if is_num.any():
        nums = raw[is_num].astype("float64")
        plausible = nums.between(
            (EARLIEST_DATE - EXCEL_EPOCH).days, (LATEST_DATE - EXCEL_EPOCH).days
        )
        out[nums[plausible].index] = excel_serial_to_timestamp(nums[plausible])
    is_str = (types.isin((str,))) & ~blank
    if is_str.any():
        parsed = parse_text_dates(_texts(raw, is_str))
        out[parsed.index] = parsed
    is_code = _codes_in(raw, is_str)
    unread = ~blank & out.isna() & ~is_code
    issues: list[CellIssue] = []
    if unread.any():
        issues.append(
            CellIssue(
                Severity.ERROR,
                "not-a-date",
                unread,
                lambda v: f"{shown(v)} is not a date Excel or the toolkit can read.",
                "Type the date day/month/year, e.g. 03/02/2026 or 3 Feb 2026 (UK order: day first).",
            )
        )
    far = out.notna() & ((out < EARLIEST_DATE) | (out > LATEST_DATE))
    if far.any():
        issues.append(
            CellIssue(
                Severity.ERROR,
                "date-out-of-range",
                far,
                lambda v: (
                    f"{shown(v)} is outside the years a tracker covers ({EARLIEST_DATE.year} to {LATEST_DATE.year}); it may be a typing slip."
                ),
                "Check the year and correct the date.",
            )
        )
        out[far] = pd.NaT
    return ParsedColumn(out, None, issues + _code_issues(col, index, is_code), blank=blank)


# --------------------------------------------------------------------------- choices


def choice_lookup(vocab: str) -> dict[str, str]:
    """Normalised spelling -> canonical spelling for one vocabulary."""
    return {normalise_choice(v): v for v in VOCABULARIES[vocab]}


def _choice_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_choices(raw: pd.Series, col: Column) -> ParsedColumn:
    """CHOICE columns: any case, spacing or hyphen variant maps onto the canonical value.

    Academic years may also be typed 2026-27 or 2026/2027 (read via ``AcademicYear``).
    An unknown value is an error listing the choices, with "did you mean" when one is close.
    """
    assert col.vocab is not None
    allowed = VOCABULARIES[col.vocab]
    lookup = choice_lookup(col.vocab)
    index = raw.index
    types = types_of(raw)
    blank = blank_mask(raw, types)
    present = raw[~blank]
    texts = per_unique(present, lambda v: _choice_text(v).strip())
    mapped = per_unique(texts, lambda t: lookup.get(normalise_choice(str(t))))
    if col.vocab == "academic_year" and mapped.isna().any():
        missing = mapped.isna()
        mapped[missing] = texts[missing].map(_academic_year_or_none)
        mapped[missing] = mapped[missing].where(mapped[missing].isin(allowed), None)
    out = _nones(index)
    out[mapped.index] = mapped.astype(object)
    unknown = _empty_issue_mask(index)
    unknown[mapped[mapped.isna()].index] = True
    issues = []
    if unknown.any():
        listed = (
            ", ".join(allowed)
            if len(allowed) <= 20
            else f"{', '.join(allowed[:3])} ... {allowed[-1]}"
        )

        def message(v: object, col: Column = col, allowed: tuple[str, ...] = allowed) -> str:
            guess = suggest(_choice_text(v), allowed)
            hint = f" Did you mean '{guess}'?" if guess else ""
            return f"{shown(v)} is not one of the choices for '{col.header}'.{hint}"

        issues.append(
            CellIssue(
                Severity.ERROR,
                "unknown-choice",
                unknown,
                message,
                f"Pick a value from the dropdown: {listed}.",
            )
        )
    return ParsedColumn(out, None, issues, blank=blank)


def _academic_year_or_none(text: str) -> str | None:
    try:
        return AcademicYear.parse(text).label
    except ValueError:
        return None


def parse_yesno(raw: pd.Series, col: Column) -> ParsedColumn:
    """YESNO columns: Yes/No in any case, Y/N, TRUE/FALSE (Excel booleans) -> True/False."""
    index = raw.index
    types = types_of(raw)
    blank = blank_mask(raw, types)
    present = raw[~blank]

    def read(v: object) -> bool | None:
        if isinstance(v, bool):
            return v
        t = _choice_text(v).strip().casefold()
        return True if t in _YES else False if t in _NO else None

    mapped = per_unique(present, read)
    out = _nones(index)
    out[mapped.index] = mapped.astype(object)
    unknown = _empty_issue_mask(index)
    unknown[mapped[mapped.isna()].index] = True
    issues = []
    if unknown.any():
        issues.append(
            CellIssue(
                Severity.ERROR,
                "unknown-choice",
                unknown,
                lambda v: f"{shown(v)} is not Yes or No, which '{col.header}' needs.",
                "Pick Yes or No from the dropdown.",
            )
        )
    return ParsedColumn(out, None, issues, blank=blank)


# --------------------------------------------------------------------------- text


def _warning_at(index: pd.Index, hits: pd.Series, code: str, message: Callable[[object], str], fix: str) -> CellIssue:
    """A warning at the cells where ``hits`` (a boolean Series over some of ``index``) is True."""
    mask = _empty_issue_mask(index)
    mask[hits[hits].index] = True
    return CellIssue(Severity.WARNING, code, mask, message, fix)


def parse_text(raw: pd.Series, col: Column) -> ParsedColumn:
    """TEXT / LONGTEXT: stripped text; numbers typed into a text column become their text."""
    types = types_of(raw)
    blank = blank_mask(raw, types)
    present = raw[~blank]
    texts = per_unique(present, lambda v: shown(v) if not isinstance(v, str) else v.strip())
    # Control characters (NUL, ESC ...; typed in Excel as _x0000_) have no place in any
    # output: warn at the cell, and keep the text without them.
    control = texts.map(lambda t: bool(find_control(t)))
    issues: list[CellIssue] = []
    if control.any():
        issues.append(
            _warning_at(
                raw.index, control, "control-characters",
                lambda v: (
                    f"The text in '{col.header}' holds control characters "
                    f"({', '.join(find_control(str(v)))}), which are invisible and were removed."
                ),
                "Retype the text (or copy it through a plain-text editor) to remove the hidden characters.",
            )
        )
        texts = texts.map(lambda t: strip_control(t).strip())
    out = _nones(raw.index)
    out[texts.index] = texts.astype(object)
    if len(texts):
        too_long = texts.str.len() > EXCEL_CELL_LIMIT
        if too_long.any():
            issues.append(
                _warning_at(
                    raw.index, too_long, "text-too-long",
                    lambda v: (
                        f"'{col.header}' holds {len(str(v)):,} characters, more than Excel's limit of "
                        f"{EXCEL_CELL_LIMIT:,} per cell: Excel cuts the text off when it opens or saves "
                        "the file, and reports would print the whole of it."
                    ),
                    f"Shorten the text to under {EXCEL_CELL_LIMIT:,} characters (keep the detail in a "
                    "linked document), or check it was not pasted in by mistake.",
                )
            )
    return ParsedColumn(out, None, issues, blank=blank)


PARSERS: dict[Kind, Callable[[pd.Series, Column], ParsedColumn]] = {
    Kind.URN: parse_urns,
    Kind.TEXT: parse_text,
    Kind.LONGTEXT: parse_text,
    Kind.CHOICE: parse_choices,
    Kind.DATE: parse_dates,
    Kind.INT: parse_numbers,
    Kind.NUMBER: parse_numbers,
    Kind.PERCENT: parse_numbers,
    Kind.YESNO: parse_yesno,
}


def parse_column(raw: pd.Series, col: Column) -> ParsedColumn:
    """Parse one column of raw cell values (indexed by Excel row number) by its schema kind."""
    return PARSERS[col.kind](raw, col)
