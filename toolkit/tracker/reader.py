"""Reading and validating the trust tracker: ``read_tracker(path) -> Tracker``.

The reader never trusts the workbook. It

1. refuses files that are not an Excel workbook, are corrupt, or carry an XML document
   type declaration (the "billion laughs" entity bomb) -- as ``UnreadableFile`` with a
   plain sentence saying which. A password-protected tracker is decrypted in memory, never
   to disk (``tracker_password``: the ``TOOLKIT_PASSWORD`` environment variable, else a
   terminal prompt; never the command line); a wrong or missing password is an
   ``UnreadableFile`` with a plain sentence;
2. reads the cell values with ``python-calamine`` (fast, read-only) and parses each column
   by its schema kind (``toolkit.tracker.cells``), naming every problem by ``Sheet!Cell`` with a fix;
3. finds formulas whose saved value is an error (``#DIV/0!``) or missing, which calamine
   shows as empty cells, by scanning the sheet XML for them;
4. cross-checks the sheets (unknown URNs, duplicates, dates and academic years, visit and
   half-term dates) and reports everything at once.

``read_tracker`` raises ``InvalidInput`` when there are errors; ``validate_tracker`` returns
the report instead (the ``toolkit validate`` command uses it). Warnings travel in
``tracker.report``. The input file is only ever opened for reading.
"""

from __future__ import annotations

import difflib
import getpass
import io
import os
import re
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
from defusedxml import ElementTree as SafeET
from openpyxl.utils import get_column_letter

from toolkit.outputs import sha256_file
from toolkit.policy import Policy, load_policy
from toolkit.tracker.cells import ParsedColumn, parse_column
from toolkit.tracker.consistency import check_group_totals
from toolkit.tracker.model import Tracker, empty_table
from toolkit.tracker.problems import InvalidInput, Problem, ProblemReport, Severity, UnreadableFile
from toolkit.tracker.schema import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    SHEETS,
    TRUST_NAME_CELL,
    TRUST_NAME_LABEL,
    Column,
    Sheet,
    sheet,
)

# The environment variable holding a protected tracker's password (never an argument).
PASSWORD_ENV = "TOOLKIT_PASSWORD"
_PROMPTED: dict[str, str] = {}  # the password typed at the prompt in this process, if any
# Sheets without which nothing else can be checked or scheduled: missing = error.
# Any other schema sheet that is missing is a warning and reads as an empty table.
CORE_SHEETS = ("schools", "term_dates")
IGNORED_SHEETS = (LISTS_SHEET, INSTRUCTIONS_SHEET)
# Beyond this many cells with the same problem in one column, the rest are summarised
# in one line (a whole column pasted wrongly would otherwise bury the other problems).
MAX_CELLS_PER_PROBLEM = 25
# A real tracker unzips to tens of megabytes; far more is a zip bomb, not a tracker.
MAX_UNZIPPED_BYTES = 2 << 30
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ATTR_T = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_HAS_FORMULA = re.compile(rb"<f[\s>/]")
_MERGE = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)"')


# --------------------------------------------------------------------------- public API


def read_tracker(
    path: str | Path, *, policy: Policy | None = None, policy_path: str | Path | None = None
) -> Tracker:
    """Read and validate a tracker; raise ``InvalidInput`` (with every problem) on errors.

    ``UnreadableFile`` means the file could not be opened as a workbook at all. A bad
    policy file raises ``InvalidInput`` with the policy's own report. Warnings are kept in
    ``tracker.report``.
    """
    if policy is None:
        policy = load_policy(policy_path, tracker=path)
    tracker, report = _read(Path(path), policy)
    if not report.ok:
        raise InvalidInput(report)
    return tracker


def validate_tracker(
    path: str | Path,
    *,
    policy: Policy | None = None,
    policy_path: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Tracker | None, ProblemReport]:
    """Validate a tracker and return ``(tracker, report)`` without raising ``InvalidInput``.

    The tracker is returned even when the report has errors (bad cells read as blank) so a
    caller can show a summary; do not compute from it unless ``report.ok``. It is ``None``
    only when the policy file is invalid (the report is then the policy's). Still raises
    ``UnreadableFile`` for a file that is not a readable workbook. ``progress(step)`` is
    called as each sheet is read and before the cross-checks (``STEPS`` calls in all).
    """
    if policy is None:
        try:
            policy = load_policy(policy_path, tracker=path)
        except InvalidInput as exc:
            _check_readable(Path(path))
            return None, exc.report
    return _read(Path(path), policy, progress)


# --------------------------------------------------------------------------- opening safely


def _check_readable(path: Path) -> bool:
    """Raise ``UnreadableFile`` with a plain sentence unless ``path`` looks like an .xlsx;
    True when it is a password-protected (encrypted) workbook to decrypt in memory."""
    if not path.exists():
        raise UnreadableFile(f"The tracker file {path} does not exist. Check the name and folder.")
    if not path.is_file():
        raise UnreadableFile(
            f"{path} is a folder, not a tracker file. Give the path of the .xlsx file."
        )
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_SIGNATURE):
        if _is_encrypted(path):
            return True
        raise UnreadableFile(_ole_sentence(path))
    if not head.startswith(ZIP_SIGNATURE):
        what = "is empty" if not head else "is not an Excel workbook (.xlsx) or an OpenDocument spreadsheet (.ods)"
        raise UnreadableFile(
            f"{path.name} {what}. Open the tracker in Excel and save it as an Excel Workbook (.xlsx), "
            "or in LibreOffice Calc and save it as Excel 2007-365 (.xlsx) or ODF Spreadsheet (.ods)."
        )
    return False


def _is_encrypted(path: Path) -> bool | None:
    import msoffcrypto

    try:
        with open(path, "rb") as fh:
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # not an Office file msoffcrypto knows
        return None


def tracker_password(path: Path) -> str:
    """The password for a protected tracker: ``TOOLKIT_PASSWORD``, else asked for at the
    terminal (not echoed).

    Never an argument (command lines show in ``ps`` and shell history), never logged or
    written. A password typed at the prompt is put in this process's environment so the
    batch's worker processes and their kernels inherit it through memory.
    """
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(f"Password for {path.name}: ")
        if password:
            os.environ[PASSWORD_ENV] = password
            _PROMPTED[PASSWORD_ENV] = password
            return password
    raise UnreadableFile(
        f"{path.name} is password-protected and no password was given. Run the command in a "
        f"terminal to be asked for it, or set the {PASSWORD_ENV} environment variable for an "
        "unattended run."
    )


def decrypt_in_memory(path: Path) -> bytes:
    """The decrypted workbook's bytes, held in memory only (no temporary file)."""
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError, InvalidKeyError

    password = tracker_password(path)
    out = io.BytesIO()
    try:
        with open(path, "rb") as fh:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=password, verify_password=True)
            office.decrypt(out)
    except (InvalidKeyError, DecryptionError, ValueError) as exc:
        if _PROMPTED.get(PASSWORD_ENV) == password:  # typed wrongly: ask again next time
            os.environ.pop(PASSWORD_ENV, None)
            _PROMPTED.clear()
        wrong = isinstance(exc, InvalidKeyError) or "password" in str(exc).lower() or "key" in str(exc).lower()
        raise UnreadableFile(
            f"The password for {path.name} is wrong, so the tracker cannot be opened. "
            f"Check the password (set {PASSWORD_ENV}, or type it when asked) and try again."
            if wrong
            else f"{path.name} is password-protected but could not be decrypted. "
            "Open it in Excel and save it again."
        ) from None
    data = out.getvalue()
    if not data.startswith(ZIP_SIGNATURE):
        raise UnreadableFile(
            f"{path.name} is a password-protected old-style workbook (.xls). Open it in Excel "
            "and save it as an Excel Workbook (.xlsx)."
        )
    return data


def _ole_sentence(path: Path) -> str:
    """An OLE compound file is either a password-protected .xlsx or an old .xls workbook."""
    import msoffcrypto

    try:
        with open(path, "rb") as fh:
            encrypted = msoffcrypto.OfficeFile(fh).is_encrypted()
    except Exception:  # not an Office file msoffcrypto knows
        encrypted = None
    if encrypted:
        return (
            f"{path.name} is password-protected (encrypted), so the toolkit cannot read it. "
            "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt "
            "with Password, clear it) and save a copy to validate."
        )
    if encrypted is False:
        return (
            f"{path.name} is an old-style Excel 97-2003 workbook (.xls). "
            "Open it in Excel and save it as an Excel Workbook (.xlsx)."
        )
    return f"{path.name} is not an Excel workbook (.xlsx). Save the tracker from Excel as .xlsx."


def _open_package(path: Path, source: Path | bytes | None = None) -> zipfile.ZipFile:
    """Open the .xlsx zip read-only and refuse corrupt files, zip bombs and XML entity bombs.
    ``source`` is the decrypted workbook's bytes for a password-protected tracker."""
    if source is None:
        _check_readable(path)
        source = path
    try:
        zf = zipfile.ZipFile(_stream(source), "r")
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFile(
            f"{path.name} is damaged: it is not a complete Excel file ({exc}). "
            "Open it in Excel (which may offer to repair it) and save it again, or use a backup."
        ) from None
    try:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names and not is_ods(zf):
            kind = _odf_kind(zf)
            what = (f"an OpenDocument {kind}, not an Excel workbook or a spreadsheet" if kind
                    else "not an Excel workbook or an OpenDocument spreadsheet")
            raise UnreadableFile(
                f"{path.name} is a zip file but {what} (it has neither xl/workbook.xml nor an "
                "OpenDocument spreadsheet inside). Save the tracker as an Excel Workbook (.xlsx), "
                "or from LibreOffice Calc as ODF Spreadsheet (.ods)."
            )
        if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED_BYTES:
            raise UnreadableFile(
                f"{path.name} unzips to more than {MAX_UNZIPPED_BYTES / 2**30:g} GB, far more than any "
                "tracker; it was refused for safety. Check where the file came from."
            )
        for info in zf.infolist():
            if info.filename.endswith((".xml", ".rels", ".vml")):
                _refuse_dtd(zf, info, path)
    except UnreadableFile:
        zf.close()
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        zf.close()
        raise UnreadableFile(
            f"{path.name} is damaged ({exc}). Open it in Excel and save it again, or use a backup."
        ) from None
    return zf


ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _odf_kind(zf: zipfile.ZipFile) -> str:
    """"text" / "presentation" ... for an OpenDocument file that is not a spreadsheet, else ""."""
    try:
        mime = zf.read("mimetype").strip()
    except KeyError:
        return ""
    prefix = b"application/vnd.oasis.opendocument."
    return mime.removeprefix(prefix).decode("ascii", "replace") if mime.startswith(prefix) else ""


def is_ods(zf: zipfile.ZipFile) -> bool:
    """An OpenDocument spreadsheet (LibreOffice Calc's .ods), which calamine reads too."""
    try:
        return zf.read("mimetype").strip() == ODS_MIMETYPE
    except KeyError:
        return False


def _refuse_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Office files never contain a DTD; one that does may hide an entity-expansion bomb.

    A DOCTYPE must come before the root element, so the first few kilobytes suffice.
    """
    with zf.open(info) as fh:
        head = fh.read(8192)
    if any(m in head for m in _DTD_MARKERS):
        raise UnreadableFile(
            f"{path.name} was refused for safety: its part {info.filename} declares XML entities "
            "(a document type declaration), which Excel never writes and which can be used to "
            "exhaust memory. Save the tracker again from Excel, or check where it came from."
        )


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip path of its XML, from workbook.xml and its relationships."""
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        target = rel.get("Target", "")
        full = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = full
    book = SafeET.fromstring(zf.read("xl/workbook.xml"))
    parts = {}
    for sh in book.iter(f"{_MAIN_NS}sheet"):
        rid = sh.get(f"{_REL_NS}id")
        if rid in targets:
            parts[sh.get("name", "")] = targets[rid]
    return parts


@dataclass
class FormulaCells:
    """Formula cells calamine shows as empty: cached errors, and formulas never calculated."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "#DIV/0!"
    no_value: set[tuple[int, int]] = field(default_factory=set)
    # Merged ranges ("M1:P1"), which calamine does not expose: it reads a merged range's
    # value in its top-left cell and every other cell as empty. Not part of ``bool()``.
    merges: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.errors or self.no_value)


def scan_formula_cells(zf: zipfile.ZipFile, part: str) -> FormulaCells:
    """Find formula cells whose saved value is an error or missing in one sheet's XML.

    calamine reads such cells as empty, which would hide a ``#DIV/0!`` as a blank. Two
    byte searches over the cell data (up to ``</sheetData>``, so the ``<formula1>`` of
    the template's dropdowns does not count) decide whether the sheet holds an error cell
    (``t="e"``) or a formula at all; only then is it parsed cell by cell.
    """
    found = FormulaCells()
    if part not in zf.namelist():
        return found
    data = zf.read(part)
    end = data.rfind(b"</sheetData>")
    end = len(data) if end < 0 else end
    found.merges = [m.decode("ascii", "replace") for m in _MERGE.findall(data, end)]
    if data.find(b't="e"', 0, end) < 0 and data.find(b"<f", 0, end) < 0:
        return found
    for m in _CELL.finditer(data, 0, end):
        attrs, inner = m.group(1), m.group(2) or b""
        ref = _ATTR_R.search(attrs)
        if not ref:
            continue
        t = _ATTR_T.search(attrs)
        kind = t.group(1) if t else b"n"
        value = _VALUE.search(inner)
        row, col = int(ref.group(2)), _column_index(ref.group(1).decode())
        if kind == b"e":
            found.errors[(row, col)] = (
                value.group(1).decode("utf-8", "replace") if value else "#ERROR"
            )
        elif _HAS_FORMULA.search(inner) and (
            value is None or (not value.group(1) and kind != b"str")
        ):
            found.no_value.add((row, col))
    return found


_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def scan_ods_merges(zf: zipfile.ZipFile) -> dict[str, list[str]]:
    """Merged ranges per sheet of an .ods (``"M1:P1"``), from ``content.xml``.

    An OpenDocument merged cell carries ``number-columns-spanned`` / ``number-rows-spanned``;
    the cells it covers are ``covered-table-cell``. Rows and cells may be repeated
    (``number-rows-repeated``), so positions are counted, not read off the element.
    """
    merges: dict[str, list[str]] = {}
    table, row, col = "", 0, 0
    with zf.open("content.xml") as fh:
        for event, el in SafeET.iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == f"{_TABLE_NS}table":
                    table, row = el.get(f"{_TABLE_NS}name", ""), 0
                elif tag == f"{_TABLE_NS}table-row":
                    col = 0
                elif tag in (f"{_TABLE_NS}table-cell", f"{_TABLE_NS}covered-table-cell"):
                    cols = int(el.get(f"{_TABLE_NS}number-columns-spanned", "1"))
                    rows = int(el.get(f"{_TABLE_NS}number-rows-spanned", "1"))
                    if cols > 1 or rows > 1:
                        first = f"{get_column_letter(col + 1)}{row + 1}"
                        last = f"{get_column_letter(col + cols)}{row + rows}"
                        merges.setdefault(table, []).append(f"{first}:{last}")
                continue
            if tag in (f"{_TABLE_NS}table-cell", f"{_TABLE_NS}covered-table-cell"):
                col += int(el.get(f"{_TABLE_NS}number-columns-repeated", "1"))
                el.clear()
            elif tag == f"{_TABLE_NS}table-row":
                row += int(el.get(f"{_TABLE_NS}number-rows-repeated", "1"))
                el.clear()
    return merges


def _stream(source: Path | bytes) -> Path | io.BytesIO:
    return io.BytesIO(source) if isinstance(source, bytes) else source


def _scan_in_background(
    path: Path | bytes, parts: dict[str, str]
) -> tuple[ThreadPoolExecutor, dict[str, Future[FormulaCells]], zipfile.ZipFile]:
    """Scan sheets for formula cells in a worker thread while calamine parses (it releases
    the GIL), so the scan adds little to the wall time. It reads through its own zip handle,
    which the caller closes after shutting the pool down."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="formula-scan")
    zf = zipfile.ZipFile(_stream(path), "r")
    futures = {name: pool.submit(scan_formula_cells, zf, part) for name, part in parts.items()}
    return pool, futures, zf


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# --------------------------------------------------------------------------- problems


@dataclass
class _Place:
    """Where a schema column sits in the workbook, for cell references."""

    sheet: str
    letters: dict[str, str]  # column key -> column letter

    def cell(self, key: str, row: int) -> str:
        return f"{self.letters.get(key, '')}{row}"


def _add_cells(
    report: ProblemReport,
    severity: Severity,
    code: str,
    sheet: str,
    cells: list[tuple[str, int]],
    message: Callable[[int], str],
    fix: str,
) -> None:
    """One problem per cell, up to ``MAX_CELLS_PER_PROBLEM``; then one line for the rest."""
    for cell, row in cells[:MAX_CELLS_PER_PROBLEM]:
        report.add(severity, message(row), fix, sheet=sheet, cell=cell, code=code)
    rest = cells[MAX_CELLS_PER_PROBLEM:]
    if rest:
        first, last = rest[0][0], rest[-1][0]
        report.add(
            severity,
            f"... and {len(rest):,} more cells with the same problem ({first} to {last}).",
            fix,
            sheet=sheet,
            cell=first,
            code=code,
        )


# --------------------------------------------------------------------------- reading


def _norm(text: object) -> str:
    return " ".join(str(text).replace("*", " ").casefold().split())


# How many times ``_read`` reports progress: once per schema sheet, once for the cross-checks.
STEPS = len(SHEETS) + 1


def _read(
    path: Path, policy: Policy, progress: Callable[[str], None] | None = None
) -> tuple[Tracker, ProblemReport]:
    from python_calamine import CalamineError, CalamineWorkbook

    report = ProblemReport(str(path))
    source: Path | bytes = decrypt_in_memory(path) if _check_readable(path) else path
    zf = _open_package(path, source)
    try:
        # An .ods has no per-sheet XML parts: its merged cells are read from content.xml;
        # its formula errors are not scanned (calamine reads its values).
        ods = is_ods(zf)
        parts = {} if ods else _sheet_parts(zf)
        ods_merges = scan_ods_merges(zf) if ods else {}
        try:
            book = (
                CalamineWorkbook.from_filelike(io.BytesIO(source))
                if isinstance(source, bytes)
                else CalamineWorkbook.from_path(str(path))
            )
        except (CalamineError, OSError, ValueError) as exc:
            raise UnreadableFile(
                f"{path.name} is damaged and cannot be read ({exc}). "
                "Open it in Excel and save it again, or use a backup."
            ) from None
        by_norm = {_norm(name): name for name in book.sheet_names}
        wanted = {by_norm[_norm(s.title)] for s in SHEETS if _norm(s.title) in by_norm}
        pool, scans, scan_zip = _scan_in_background(
            source, {n: p for n, p in parts.items() if n in wanted}
        )
        tables: dict[str, pd.DataFrame] = {}
        places: dict[str, _Place] = {}
        known = {_norm(s.title) for s in SHEETS} | {_norm(s) for s in IGNORED_SHEETS}
        strangers = {_norm(n): n for n in book.sheet_names if _norm(n) not in known}
        missing: set[str] = set()
        guessed: set[str] = set()
        for spec in SHEETS:
            if progress is not None:
                progress(spec.title)
            name = by_norm.get(_norm(spec.title))
            if name is None:
                guess = difflib.get_close_matches(_norm(spec.title), list(strangers), n=1, cutoff=0.6)
                if guess:
                    guessed.add(strangers[guess[0]])
                _missing_sheet(spec, report, strangers[guess[0]] if guess else None)
                missing.add(spec.key)
                tables[spec.key] = empty_table(spec)
                places[spec.key] = _Place(spec.title, {})
                continue
            try:
                rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except CalamineError as exc:
                raise UnreadableFile(
                    f"The sheet '{name}' in {path.name} is damaged ({exc}). "
                    "Open the file in Excel and save it again."
                ) from None
            formulas = FormulaCells(merges=ods_merges.get(name, [])) if ods else _scan_result(scans.get(name), path)
            tables[spec.key], places[spec.key] = _read_sheet(spec, name, rows, formulas, report)
        policy, name_source = _trust_name(book, by_norm, policy, report)
        for name in book.sheet_names:
            if _norm(name) not in known and name not in guessed:
                report.warning(
                    f"The sheet '{name}' is not part of the tracker and was ignored.",
                    "Nothing to do if it holds your own notes; if it should be one of the "
                    "tracker's sheets, rename it to match (see the Instructions sheet).",
                    sheet=name,
                    code="unknown-sheet",
                )
    finally:
        zf.close()
        if "pool" in locals():
            pool.shutdown(wait=True, cancel_futures=True)
            scan_zip.close()
    if progress is not None:
        progress("cross-checks")
    cross_check(tables, places, report)
    attach_urns(tables, places, report)
    tracker = Tracker(
        tables, policy=policy, path=path, sha256=sha256_file(path), report=report,
        missing_sheets=frozenset(missing), trust_name_source=name_source,
    )
    return tracker, report


def _trust_name(book, by_norm: dict[str, str], policy: Policy, report: ProblemReport) -> tuple[Policy, str]:  # noqa: ANN001
    """The trust's name for the reports, and a sentence saying where it came from.

    Order: a policy file that sets ``[trust] name``; else the tracker's Instructions sheet
    (the "Trust name" row, B2 in the template); else the default policy's name, with a
    warning, since every report would otherwise carry "Example Multi Academy Trust" silently.
    """
    from toolkit.policy import sets_trust_name

    found, where = None, f"{INSTRUCTIONS_SHEET}!{TRUST_NAME_CELL}"
    sheet_name = by_norm.get(_norm(INSTRUCTIONS_SHEET))
    if sheet_name is not None:
        try:
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)[:10]
        except Exception:  # a damaged Instructions sheet: fall back to the default, with the warning
            rows = []
        for i, row in enumerate(rows, start=1):
            if row and _norm(row[0] or "") == _norm(TRUST_NAME_LABEL):
                where = f"{sheet_name}!B{i}"
                value = row[1] if len(row) > 1 else ""
                found = str(value).strip() if value not in (None, "") else None
                break
    if sets_trust_name(policy):
        if found and found != policy.trust.name:
            report.warning(
                f"The tracker names the trust '{found}' ({where}), but the policy file "
                f"{Path(policy.source).name} names it '{policy.trust.name}'; the policy's name is used.",
                f"Make the two agree: correct {where}, or the [trust] name in {Path(policy.source).name}.",
                sheet=where.split("!")[0], cell=where.split("!")[1], code="trust-name-differs",
            )
        return policy, f"the policy file {Path(policy.source).name} ([trust] name)"
    if found:
        trust = policy.trust.model_copy(update={"name": found})
        return policy.model_copy(update={"trust": trust}), f"the tracker ({where})"
    report.warning(
        f"The tracker does not record the trust's name ({where} is blank or missing), so every "
        f"report is headed with the default name '{policy.trust.name}'.",
        f"Type the trust's name in {INSTRUCTIONS_SHEET}!{TRUST_NAME_CELL} beside '{TRUST_NAME_LABEL}' "
        "(add the row to an older tracker), or set [trust] name in a policy.toml beside the tracker.",
        sheet=INSTRUCTIONS_SHEET, cell=TRUST_NAME_CELL, code="trust-name-missing",
    )
    return policy, "the toolkit's default policy (the tracker does not name the trust)"


_CELL_ROW = re.compile(r"^[A-Z]{1,3}(\d+)$")


def attach_urns(tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport) -> None:
    """Tag each problem on a school's row with that school's URN.

    Why: a school's report carries the warnings about its own rows (and the trust-wide
    ones), not another school's; ``ProblemReport.touching(urn)`` filters on this tag.
    """
    by_sheet: dict[str, dict[int, int]] = {}
    for spec in SHEETS:
        df = tables.get(spec.key)
        if df is None or df.empty or "urn" not in df.columns:
            continue
        urns = pd.to_numeric(df["urn"], errors="coerce")
        ok = urns.notna()
        by_sheet[places[spec.key].sheet] = dict(
            zip(df.loc[ok, "_row"].astype(int).tolist(), urns[ok].astype(int).tolist(), strict=True)
        )
    if not by_sheet:
        return
    tagged = []
    for p in report.problems:
        rows = by_sheet.get(p.sheet)
        m = _CELL_ROW.match(p.cell) if rows and p.cell else None
        urn = rows.get(int(m.group(1))) if m else None
        tagged.append(replace(p, urn=urn) if urn is not None and p.urn is None else p)
    report.problems = tagged


def _scan_result(future: Future[FormulaCells] | None, path: Path) -> FormulaCells:
    if future is None:
        return FormulaCells()
    try:
        return future.result()
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise UnreadableFile(
            f"{path.name} is damaged ({exc}). Open it in Excel and save it again, or use a backup."
        ) from None


def _missing_sheet(spec: Sheet, report: ProblemReport, guess: str | None = None) -> None:
    """A missing sheet: an error for the core sheets, or when another sheet's name is close
    (a renamed sheet holds real records: reading it as empty would report every visit or
    meeting as missed); otherwise a warning, and the sheet reads as empty."""
    if guess is not None:
        report.error(
            f"The tracker has no '{spec.title}' sheet; did you mean '{guess}'? "
            f"The sheet '{guess}' is not read, so its records would be missing from every check and report.",
            f"Rename the sheet '{guess}' to '{spec.title}' (right-click its tab > Rename).",
            sheet=spec.title,
            code="missing-sheet",
        )
    elif spec.key in CORE_SHEETS:
        report.error(
            f"The tracker has no '{spec.title}' sheet, which every other sheet depends on.",
            f"Add a sheet named '{spec.title}' (copy it from the blank template), with its headers on row {HEADER_ROW}.",
            sheet=spec.title,
            code="missing-sheet",
        )
    else:
        report.warning(
            f"The tracker has no '{spec.title}' sheet; it is read as empty.",
            f"Add a sheet named '{spec.title}' (copy it from the blank template) if you keep this information.",
            sheet=spec.title,
            code="missing-sheet",
        )


def _read_sheet(
    spec: Sheet, name: str, rows: list[list[object]], formulas: FormulaCells, report: ProblemReport
) -> tuple[pd.DataFrame, _Place]:
    """Read one sheet; merged cells are reported once, with what follows from them folded in."""
    start = len(report.problems)
    table, place = _read_sheet_cells(spec, name, rows, formulas, report)
    if formulas.merges:
        _fold_into_merges(name, formulas.merges, report, start)
    return table, place


def _bounds(ref: str) -> tuple[int, int, int, int]:
    """(first row, first column, last row, last column) of "M1:P1" (1-based)."""
    a, _, b = ref.partition(":")
    b = b or a
    ma, mb = re.match(r"([A-Z]+)(\d+)", a), re.match(r"([A-Z]+)(\d+)", b)
    assert ma and mb
    return int(ma.group(2)), _column_index(ma.group(1)), int(mb.group(2)), _column_index(mb.group(1))


_UNMERGE_FIX = (
    "Unmerge the cells (Excel: Home > Merge & Center > Unmerge Cells; LibreOffice: Format > "
    "Merge and Unmerge Cells > Unmerge Cells), then type the value into every cell: each "
    "header in its own cell on row 1, each row's value on its own row."
)


def _fold_into_merges(name: str, merges: list[str], report: ProblemReport, start: int) -> None:
    """One error per merged range on a tracker sheet, at its range, with the fix.

    A merged range is read (by calamine, as by most readers) as its value in the top-left
    cell and empty cells elsewhere, so it shows up as blank required cells or missing
    columns. Those problems follow from the merge: they are dropped here (and the missing
    columns named in the merge's message) so the one real mistake is not buried.
    """
    covered: set[tuple[int, int]] = set()
    header_merges: list[str] = []
    messages: list[tuple[str, str]] = []
    for ref in merges:
        r1, c1, r2, c2 = _bounds(ref)
        if r1 == r2 and c1 == c2:
            continue
        covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
        first = f"{get_column_letter(c1)}{r1}"
        if r1 <= HEADER_ROW < r2 + 1 and c2 > c1:
            header_merges.append(ref)
            messages.append((ref, (
                f"The header cells {ref} are merged, so only the first header ({first}) is read; "
                f"columns {get_column_letter(c1 + 1)} to {get_column_letter(c2)} have no header and their data is not read."
            )))
        elif r1 <= HEADER_ROW < r2:
            header_merges.append(ref)
            rows = f"row {r2} of column {get_column_letter(c1)} reads" if r2 == HEADER_ROW + 1 else (
                f"rows {HEADER_ROW + 1} to {r2} of column {get_column_letter(c1)} read")
            messages.append((ref, (
                f"The header cell {first} is merged with the cells below it ({ref}), so {rows} as empty."
            )))
        else:
            messages.append((ref, (
                f"The cells {ref} are merged: what you see in every row is stored only in {first}, "
                "so the other cells read as empty."
            )))
    if not messages:
        return
    new = report.problems[start:]
    kept, missing_columns = [], []
    for p in new:
        m = re.fullmatch(r"([A-Z]{1,3})(\d+)", p.cell or "")
        if m and (int(m.group(2)), _column_index(m.group(1))) in covered:
            continue
        if header_merges and p.code == "missing-column":
            missing_columns.append(p)
            continue
        kept.append(p)
    merged: list = []
    for i, (ref, text) in enumerate(messages):
        if i == 0 and missing_columns:
            heads = [m.group(1) for p in missing_columns if (m := re.search(r"no '([^']+)' column", p.message))]
            quoted = ", ".join(f"'{h}'" for h in heads)
            text += f" As a result the sheet has no {quoted} column."
        part = ProblemReport(report.file)
        part.error(text, _UNMERGE_FIX, sheet=name, cell=ref, code="merged-cells")
        merged += part.problems
    report.problems[start:] = merged + kept


def _read_sheet_cells(
    spec: Sheet, name: str, rows: list[list[object]], formulas: FormulaCells, report: ProblemReport
) -> tuple[pd.DataFrame, _Place]:
    """Match headers, skip blank rows and parse every schema column of one sheet."""
    header = rows[HEADER_ROW - 1] if len(rows) >= HEADER_ROW else []
    wanted = {_norm(c.header): c for c in spec.columns}
    positions: dict[str, int] = {}  # column key -> 0-based position
    for pos, text in enumerate(header):
        if text is None or str(text).strip() == "":
            continue
        col = wanted.get(_norm(text))
        letter = get_column_letter(pos + 1)
        if col is None:
            report.warning(
                f"The column '{text}' (column {letter}) is not one the toolkit knows; it was ignored.",
                "Nothing to do if it holds your own notes. If it should be a tracker column, "
                "correct the header to match the template.",
                sheet=name,
                cell=f"{letter}{HEADER_ROW}",
                code="unknown-column",
            )
        elif col.key in positions:
            first = get_column_letter(positions[col.key] + 1)
            report.error(
                f"The header '{col.header}' appears twice (columns {first} and {letter}).",
                "Delete or rename one of the two columns; the toolkit reads the first.",
                sheet=name,
                cell=f"{letter}{HEADER_ROW}",
                code="duplicate-column",
            )
        else:
            positions[col.key] = pos
    place = _Place(name, {k: get_column_letter(p + 1) for k, p in positions.items()})
    for col in spec.columns:
        if col.key not in positions and not col.may_be_absent:
            (report.error if col.required else report.warning)(
                f"The '{name}' sheet has no '{col.header}' column"
                + (" (a required column)." if col.required else "; it is read as blank."),
                f"Add a column headed '{col.header}' on row {HEADER_ROW} (copy the header from the blank template). {col.help}",
                sheet=name,
                code="missing-column",
            )
    body = rows[FIRST_DATA_ROW - 1 :]
    frame = pd.DataFrame(body, dtype=object) if body else pd.DataFrame()
    frame.index = pd.RangeIndex(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))
    # Parse every column over all rows first (blank cells raise no issues), then drop the
    # rows that are blank in every schema column, so each cell is classified only once.
    parsed: dict[str, ParsedColumn] = {}
    raws: dict[str, pd.Series] = {}
    for col in spec.columns:
        pos = positions.get(col.key)
        if pos is None or pos not in frame.columns:
            continue
        raws[col.key] = frame[pos]
        parsed[col.key] = parse_column(frame[pos], col)
    if parsed:
        blank_row = np.logical_and.reduce([p.blank.to_numpy() for p in parsed.values()])
        formula_rows = [r for r, _ in formulas.errors] + [r for r, _ in formulas.no_value]
        if formula_rows:
            blank_row &= ~frame.index.isin(formula_rows)
    else:
        blank_row = np.ones(len(frame), dtype=bool)
    keep = ~blank_row
    index = frame.index[keep]
    out: dict[str, pd.Series] = {"_row": pd.Series(index, index=index, dtype="int64")}
    codes: dict[str, pd.Series] = {}
    for col in spec.columns:
        result = parsed.get(col.key)
        if result is None:
            result = parse_column(pd.Series([""] * len(index), index=index, dtype=object), col)
            out[col.key] = result.values
            if col.suppressible:
                codes[f"{col.key}_code"] = pd.Series([None] * len(index), index=index, dtype=object)
            continue
        out[col.key] = result.values[keep]
        if col.suppressible:
            codes[f"{col.key}_code"] = (
                result.codes[keep]
                if result.codes is not None
                else pd.Series([None] * len(index), index=index, dtype=object)
            )
        raw = raws[col.key]
        letter = place.letters[col.key]
        flagged = _formula_problems(
            col, name, letter, positions[col.key] + 1, index, formulas, report
        )
        for issue in result.issues:
            rows_hit = [r for r in issue.mask[issue.mask].index.tolist() if r not in flagged]
            _add_cells(
                report,
                issue.severity,
                issue.code,
                name,
                [(f"{letter}{r}", r) for r in rows_hit],
                lambda r, issue=issue, raw=raw: issue.message(raw[r]),
                issue.fix,
            )
        if col.required:
            missing = frame.index[result.blank.to_numpy() & keep].tolist()
            missing = [r for r in missing if r not in flagged]
            _add_cells(
                report,
                Severity.ERROR,
                "required-blank",
                name,
                [(f"{letter}{r}", r) for r in missing],
                lambda r, col=col: f"'{col.header}' is blank, but every row needs one.",
                f"Fill in '{col.header}': {col.help} If the whole row is not needed, delete the row.",
            )
    table = pd.DataFrame({**out, **codes}).reset_index(drop=True)
    return table, place


def _formula_problems(
    col: Column,
    sheet: str,
    letter: str,
    col_index: int,
    rows: pd.Index,
    formulas: FormulaCells,
    report: ProblemReport,
) -> set[int]:
    """Report formula cells in this column; return their rows so they are not re-reported."""
    if not formulas:
        return set()
    flagged: set[int] = set()
    live = set(rows.tolist())
    errs = sorted((r, v) for (r, c), v in formulas.errors.items() if c == col_index and r in live)
    for r, v in errs:
        report.error(
            f"The formula in {sheet}!{letter}{r} gives {v}, so '{col.header}' has no usable value.",
            f"Correct the formula (or type the value) in {letter}{r}. {col.help}",
            sheet=sheet,
            cell=f"{letter}{r}",
            code="formula-error",
        )
        flagged.add(r)
    empty = sorted(r for (r, c) in formulas.no_value if c == col_index and r in live)
    for r in empty:
        severity = Severity.ERROR if col.required else Severity.WARNING
        report.add(
            severity,
            f"The formula in {sheet}!{letter}{r} has no saved value (the file was saved by a program "
            "that does not calculate formulas), so it reads as blank.",
            "Open the tracker in Excel and save it, so the formula's result is stored; or type the value.",
            sheet=sheet,
            cell=f"{letter}{r}",
            code="formula-no-value",
        )
        flagged.add(r)
    return flagged


# --------------------------------------------------------------------------- cross-checks


def cross_check(
    tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport
) -> None:
    """Checks between rows and sheets, run after every cell has been read."""
    check_unknown_urns(tables, places, report)
    check_duplicates(tables, places, report)
    check_dates_in_academic_year(tables, places, report)
    check_dates_covered_by_term_dates(tables, places, report)
    check_half_terms(tables, places, report)
    check_visit_dates(tables, places, report)
    check_designation_signoff(tables, places, report)
    check_outcome_groups(tables, places, report)


def check_outcome_groups(
    tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport
) -> None:
    """Complementary pupil groups must add up to All pupils, beyond rounding (see
    ``consistency``): otherwise every gap printed from them is wrong. Warned at the cells."""
    place = places.get("outcomes")
    if place is None or not place.letters.get("value"):
        return

    def warn(message: str, rows: list[int]) -> None:
        _add_cells(
            report,
            Severity.WARNING,
            "groups-do-not-add-up",
            place.sheet,
            _cells(place, "value", rows),
            lambda _r: message,
            "Check these rows against the published figures: complementary groups (Disadvantaged and Not disadvantaged, "
            "Boys and Girls, SEN support, EHC plan and No SEN) must add up to All pupils.",
        )

    check_group_totals(tables["outcomes"], warn)


def _cells(place: _Place, key: str, rows: Iterable[int]) -> list[tuple[str, int]]:
    return [(place.cell(key, r), r) for r in rows]


def check_unknown_urns(
    tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport
) -> None:
    """Every URN used on another sheet must be a school on the Schools sheet.

    Source: schema (Schools is "one row per school"); otherwise a typo in a URN silently
    drops a school's data from every report.
    """
    if not places["schools"].letters.get("urn"):
        return  # no Schools sheet or URN column: that error is reported; every URN would repeat it
    known = set(tables["schools"]["urn"].dropna().astype(int).tolist())
    cause = _schools_urn_problem(places["schools"], report)
    follow_on: list[tuple[str, str, int]] = []  # (sheet, first cell, rows)
    for spec in SHEETS:
        if spec.key == "schools" or "urn" not in spec.keys:
            continue
        df = tables[spec.key]
        if df.empty:
            continue
        urns = df["urn"]
        bad = urns.notna() & ~urns.isin(list(known))
        if not bad.any():
            continue
        place = places[spec.key]
        if cause is not None:  # follows from the unreadable Schools URN: folded, not one per row
            cells = _cells(place, "urn", df.loc[bad, "_row"].tolist())
            follow_on.append((place.sheet, cells[0][0], len(cells)))
            continue
        lookup = dict(zip(df["_row"].tolist(), urns.tolist(), strict=True))
        _add_cells(
            report,
            Severity.ERROR,
            "unknown-urn",
            place.sheet,
            _cells(place, "urn", df.loc[bad, "_row"].tolist()),
            lambda r, lookup=lookup: f"URN {lookup[r]} is not on the Schools sheet.",
            "Correct the URN, or add the school to the Schools sheet first.",
        )
    if follow_on and cause is not None:
        total = sum(n for _, _, n in follow_on)
        where = ", ".join(f"{name} {n:,}" for name, _, n in follow_on)
        first_sheet, first_cell, _ = follow_on[0]
        report.error(
            f"{total:,} row(s) on other sheets use a URN that is not on the Schools sheet ({where}; "
            f"first at {first_sheet}!{first_cell}). This follows from the problem at {cause.where}, "
            "where a school's URN could not be read.",
            f"Fix {cause.where} first; these rows will then match their school.",
            sheet=first_sheet,
            cell=first_cell,
            code="unknown-urn",
        )


def _schools_urn_problem(place: _Place, report: ProblemReport) -> Problem | None:
    """The first error that left a Schools row without a readable URN (a merged range on the
    Schools sheet, or a blank, invalid or formula-error URN cell), or None."""
    letter = place.letters.get("urn", "")
    for p in report.errors:
        if p.sheet != place.sheet:
            continue
        if p.code == "merged-cells" or (
            p.code in ("required-blank", "urn-invalid", "formula-error", "suppression-not-allowed")
            and re.fullmatch(rf"{letter}\d+", p.cell or "")
        ):
            return p
    return None


def check_duplicates(
    tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport
) -> None:
    """Rows that repeat a sheet's identifying columns (``Sheet.unique``) are errors.

    Source: schema ``Sheet.unique``; two assessments for the same school and term, say,
    would make the designation ambiguous. Both rows are named.
    """
    for spec in SHEETS:
        df = tables[spec.key]
        if not spec.unique or len(df) < 2:
            continue
        keys = list(spec.unique)
        required = [k for k in keys if spec.column(k).required]
        usable = df.dropna(subset=required) if required else df
        dup = usable.duplicated(subset=keys, keep=False)
        if not dup.any():
            continue
        place = places[spec.key]
        heads = ", ".join(spec.column(k).header for k in keys)
        cells: list[tuple[str, int]] = []
        first_of: dict[int, int] = {}
        for _, group in usable[dup].groupby(keys, dropna=False, sort=False):
            rows = group["_row"].tolist()
            for r in rows[1:]:
                first_of[r] = rows[0]
                cells.append((place.cell(keys[0], r), r))
        _add_cells(
            report,
            Severity.ERROR,
            "duplicate-row",
            place.sheet,
            sorted(cells, key=lambda c: c[1]),
            lambda r, first_of=first_of, heads=heads: (
                f"Rows {first_of[r]} and {r} have the same {heads}; each must appear once."
            ),
            f"Delete the repeated row, or correct {heads} so the two rows differ.",
        )


def _year_bounds(labels: pd.Series) -> tuple[pd.Series, pd.Series]:
    start_year = pd.to_numeric(labels.str.slice(0, 4), errors="coerce")
    first = pd.to_datetime(start_year.astype("Int64").astype(str) + "-09-01", errors="coerce")
    last = pd.to_datetime((start_year + 1).astype("Int64").astype(str) + "-08-31", errors="coerce")
    return first, last


# (sheet, date column) pairs whose date must fall inside the row's academic year.
# Not SDP due dates or EIT sign-off: an action or a sign-off may run into the next year.
DATES_IN_ROW_YEAR: tuple[tuple[str, str], ...] = (
    ("term_dates", "start"),
    ("term_dates", "end"),
    ("assessments", "assessment_date"),
)


def check_dates_in_academic_year(
    tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport
) -> None:
    """A row's date must fall in the row's academic year (1 September to 31 August).

    Source: DOMAIN.md "Calendar rules": the academic year runs 1 September to 31 August;
    a half term or assessment dated outside its year is a typing slip in the year or date.
    """
    for key, date_key in DATES_IN_ROW_YEAR:
        df = tables[key]
        if df.empty:
            continue
        years = (
            df["academic_year"].astype(object).where(df["academic_year"].notna(), "").astype(str)
        )
        first, last = _year_bounds(years)
        dates = df[date_key]
        bad = dates.notna() & first.notna() & ((dates < first) | (dates > last))
        if not bad.any():
            continue
        place = places[key]
        info = {
            r: (d, y) for r, d, y in zip(df.loc[bad, "_row"], dates[bad], years[bad], strict=True)
        }
        header = sheet(key).column(date_key).header
        _add_cells(
            report,
            Severity.ERROR,
            "date-outside-year",
            place.sheet,
            _cells(place, date_key, sorted(info)),
            lambda r, info=info, header=header: (
                f"'{header}' {info[r][0]:%d/%m/%Y} is not in the row's academic year {info[r][1]} "
                f"(1 September {info[r][1][:4]} to 31 August {int(info[r][1][:4]) + 1})."
            ),
            "Correct the date or the academic year on this row.",
        )


# (sheet, date column) pairs the calendar places using the Term dates sheet.
DATES_NEEDING_TERM_DATES: tuple[tuple[str, str], ...] = (
    ("visits", "visit_start"),
    ("meetings", "date"),
    ("closures", "date"),
)


def check_dates_covered_by_term_dates(
    tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport
) -> None:
    """Visits, meetings and closures should fall in an academic year that has term dates.

    Source: DOMAIN.md "Calendar rules": term and half-term dates are input data; without
    them the calendar cannot place a date (working days, half terms), so this is a warning.
    """
    td = tables["term_dates"]
    years = set(td["academic_year"].dropna().tolist()) if not td.empty else set()
    if not years:
        return
    for key, date_key in DATES_NEEDING_TERM_DATES:
        df = tables[key]
        if df.empty:
            continue
        dates = df[date_key]
        start = dates.dt.year.where(dates.dt.month >= 9, dates.dt.year - 1)
        label = (
            start.astype("Int64").astype(str)
            + "/"
            + ((start + 1) % 100).astype("Int64").astype(str).str.zfill(2)
        )
        bad = dates.notna() & ~label.isin(list(years))
        if not bad.any():
            continue
        place = places[key]
        info = dict(zip(df.loc[bad, "_row"], zip(dates[bad], label[bad], strict=True), strict=True))
        header = sheet(key).column(date_key).header
        _add_cells(
            report,
            Severity.WARNING,
            "date-outside-term-dates",
            place.sheet,
            _cells(place, date_key, sorted(info)),
            lambda r, info=info, header=header: (
                f"'{header}' {info[r][0]:%d/%m/%Y} is in {info[r][1]}, which has no term dates, "
                "so calendar checks skip it."
            ),
            "Add the half terms of that academic year to the Term dates sheet, or correct the date.",
        )


def check_half_terms(
    tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport
) -> None:
    """A half term ends on or after it starts, and half terms do not overlap.

    Source: DOMAIN.md "Calendar rules": six half terms a year, from the local authority
    calendar; working-day counts go wrong if they overlap.
    """
    df = tables["term_dates"]
    if df.empty:
        return
    place = places["term_dates"]
    backwards = df["start"].notna() & df["end"].notna() & (df["end"] < df["start"])
    if backwards.any():
        info = dict(
            zip(
                df.loc[backwards, "_row"],
                zip(df.loc[backwards, "start"], df.loc[backwards, "end"], strict=True),
                strict=True,
            )
        )
        _add_cells(
            report,
            Severity.ERROR,
            "end-before-start",
            place.sheet,
            _cells(place, "end", sorted(info)),
            lambda r, info=info: (
                f"The half term ends ({info[r][1]:%d/%m/%Y}) before it starts ({info[r][0]:%d/%m/%Y})."
            ),
            "Swap or correct the First day and Last day.",
        )
    ok = df[df["start"].notna() & df["end"].notna() & ~backwards].sort_values(["start", "end"])
    if len(ok) < 2:
        return
    prev_end = ok["end"].cummax().shift(1)
    prev_row = ok["_row"].where(ok["end"].eq(ok["end"].cummax())).ffill().shift(1)
    overlap = ok["start"] <= prev_end
    if overlap.any():
        info = {
            int(r): (int(p), s)
            for r, p, s in zip(
                ok.loc[overlap, "_row"], prev_row[overlap], ok.loc[overlap, "start"], strict=True
            )
        }
        _add_cells(
            report,
            Severity.ERROR,
            "half-terms-overlap",
            place.sheet,
            _cells(place, "start", sorted(info)),
            lambda r, info=info: (
                f"The half term on row {r} starts ({info[r][1]:%d/%m/%Y}) before the half term "
                f"on row {info[r][0]} has ended."
            ),
            "Correct the First day / Last day of one of the two half terms so they do not overlap.",
        )


def check_visit_dates(
    tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport
) -> None:
    """A visit ends on or after it starts; its report is sent on or after the visit ends.

    Source: DOMAIN.md "Calendar rules": visit reports are due within 3 working days of the
    end of the visit, so a report dated before the visit ended is a wrong date.
    """
    df = tables["visits"]
    if df.empty:
        return
    place = places["visits"]
    start, end, sent = df["visit_start"], df["visit_end"], df["report_sent"]
    backwards = start.notna() & end.notna() & (end < start)
    info = {
        r: (s, e)
        for r, s, e in zip(df.loc[backwards, "_row"], start[backwards], end[backwards], strict=True)
    }
    _add_cells(
        report,
        Severity.ERROR,
        "end-before-start",
        place.sheet,
        _cells(place, "visit_end", sorted(info)),
        lambda r: (
            f"The visit ends ({info[r][1]:%d/%m/%Y}) before it starts ({info[r][0]:%d/%m/%Y})."
        ),
        "Correct Visit start or Visit end (for a one-day visit they are the same date).",
    )
    last_day = end.where(end.notna() & ~backwards, start)
    early = sent.notna() & last_day.notna() & (sent < last_day)
    sent_info = {
        r: (s, d)
        for r, s, d in zip(df.loc[early, "_row"], sent[early], last_day[early], strict=True)
    }
    _add_cells(
        report,
        Severity.ERROR,
        "report-before-visit",
        place.sheet,
        _cells(place, "report_sent", sorted(sent_info)),
        lambda r: (
            f"The report is dated as sent ({sent_info[r][0]:%d/%m/%Y}) before the visit ended "
            f"({sent_info[r][1]:%d/%m/%Y})."
        ),
        "Correct the Report sent date (or the visit dates).",
    )


def check_designation_signoff(
    tables: dict[str, pd.DataFrame], places: dict[str, _Place], report: ProblemReport
) -> None:
    """An agreed designation should carry the date EIT signed it off.

    Source: DOMAIN.md "Designation": the final designation is signed off by EIT; without the
    date the reports cannot say when it took effect. A warning: the designation still counts.
    """
    df = tables["assessments"]
    if df.empty:
        return
    place = places["assessments"]
    missing = df["agreed_designation"].notna() & df["eit_signoff_date"].isna()
    agreed = dict(zip(df["_row"], df["agreed_designation"], strict=True))
    _add_cells(
        report,
        Severity.WARNING,
        "agreed-without-signoff",
        place.sheet,
        _cells(
            place,
            "eit_signoff_date" if "eit_signoff_date" in place.letters else "agreed_designation",
            df.loc[missing, "_row"].tolist(),
        ),
        lambda r: f"The agreed designation {agreed[r]} has no EIT sign-off date.",
        "Type the date EIT signed the designation off in 'EIT sign-off date'.",
    )


def summary(tracker: Tracker) -> dict[str, int]:
    """Rows per sheet (by sheet title), for the one-line summary of ``toolkit validate``."""
    return {spec.title: len(tracker.tables[spec.key]) for spec in SHEETS}
