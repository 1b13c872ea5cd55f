"""Outputs are written atomically: a crash leaves the old file or nothing, never half a file."""

import hashlib

import pytest

from toolkit.outputs import atomic_open, atomic_write, sha256_file


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "report.html"
    atomic_write(target, "first")
    atomic_write(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_crash_mid_write_keeps_previous_file_and_leaves_no_partial(tmp_path):
    target = tmp_path / "report.html"
    atomic_write(target, "complete report")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write("half a rep")
        raise RuntimeError("crash")
    assert target.read_text() == "complete report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_crash_on_first_write_leaves_nothing(tmp_path):
    target = tmp_path / "new.pdf"
    with pytest.raises(RuntimeError), atomic_open(target, "wb") as fh:
        fh.write(b"%PDF-")
        raise RuntimeError("crash")
    assert list(tmp_path.iterdir()) == []


def test_sha256_matches_hashlib(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"tracker bytes" * 1000)
    assert sha256_file(f) == hashlib.sha256(b"tracker bytes" * 1000).hexdigest()


def test_atomic_files_get_normal_permissions_not_mkstemp_0600(tmp_path):
    import os

    target = atomic_write(tmp_path / "index.html", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
