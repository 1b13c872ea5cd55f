"""Hostile workbooks: XML entity bombs and zip bombs are refused quickly, never expanded.

openpyxl parses with defusedxml when it is installed (``openpyxl.xml.DEFUSEDXML``); the
tracker reader uses calamine, so it guards the same bomb itself before calamine sees it.
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from toolkit.tracker import reader as workbook
from toolkit.tracker.problems import UnreadableFile
from toolkit.tracker.reader import read_tracker, validate_tracker

# Nine levels of ten: "&lol9;" expands to 10**9 copies of "lol" (3 GB) if expanded.
_ENTITIES = '<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
)
BOMB_DTD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE worksheet [{_ENTITIES}]>\n'


def _plain_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Schools"
    ws.append(["URN", "School name"])
    ws.append([100001, "Oak Primary"])
    wb.save(path)


def _with_bomb(src: Path, dst: Path, part: str = "xl/worksheets/sheet1.xml") -> None:
    """Copy ``src`` with a billion-laughs DTD prepended to one part, used in cell A2's text."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", data)
                body = body.replace(b"<t>Oak Primary</t>", b"<t>&lol9;</t>", 1)
                data = BOMB_DTD.encode() + body
            zout.writestr(info, data)


@pytest.fixture
def bomb(tmp_path: Path) -> Path:
    plain = tmp_path / "plain.xlsx"
    _plain_workbook(plain)
    out = tmp_path / "bomb.xlsx"
    _with_bomb(plain, out)
    return out


def test_openpyxl_uses_defusedxml_here() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_openpyxl_refuses_the_entity_bomb_through_defusedxml(bomb: Path) -> None:
    from defusedxml import EntitiesForbidden

    with pytest.raises(ValueError) as info:
        openpyxl.load_workbook(bomb)
    chain, exc = [], info.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(isinstance(e, EntitiesForbidden) for e in chain), chain


def test_reader_refuses_the_entity_bomb_quickly(bomb: Path) -> None:
    start = time.perf_counter()
    with pytest.raises(UnreadableFile, match="refused for safety"):
        read_tracker(bomb)
    with pytest.raises(UnreadableFile, match="refused for safety"):
        validate_tracker(bomb)
    assert time.perf_counter() - start < 5  # refused up front, not after expanding


def test_reader_guards_before_calamine(bomb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The DTD check runs before calamine is asked to open the file at all."""
    import python_calamine

    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("calamine must not see a workbook with a DTD")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", boom)
    with pytest.raises(UnreadableFile):
        read_tracker(bomb)


def test_calamine_does_not_expand_custom_entities(bomb: Path) -> None:
    """Belt and braces: calamine itself rejects the undeclared-to-it entity (no expansion)."""
    from python_calamine import CalamineError, CalamineWorkbook

    with pytest.raises(CalamineError):
        CalamineWorkbook.from_path(str(bomb)).get_sheet_by_name("Schools").to_python()


def test_bomb_in_shared_strings_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Schools"
    wb.active.append(["URN"])
    wb.save(plain)
    # Add a sharedStrings part carrying the DTD: any XML part is checked, not only sheets.
    out = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        zout.writestr("xl/sharedStrings.xml", BOMB_DTD + "<sst><si><t>&lol9;</t></si></sst>")
    with pytest.raises(UnreadableFile, match=r"xl/sharedStrings\.xml"):
        read_tracker(out)


def test_zip_bomb_is_refused_by_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook that unzips to more than the limit is refused before anything is inflated."""
    path = tmp_path / "plain.xlsx"
    _plain_workbook(path)
    unzipped = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(workbook, "MAX_UNZIPPED_BYTES", unzipped - 1)
    with pytest.raises(UnreadableFile, match="refused for safety"):
        read_tracker(path)
