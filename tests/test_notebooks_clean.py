"""Shipped notebooks are templates: stored without outputs, execution counts or volatile
metadata, in the nbformat JupyterLab writes (4.5, cell ids), so that opening one never marks
it modified and the repository never records a run. ``make lab`` opens working copies in
the git-ignored work/ folder; the app (Voilà) never writes the notebook at all."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"display_name": "Python 3 (toolkit)", "language": "python", "name": "python3"}  # what `make env` installs
CELL_METADATA = {"tags"}  # anything else (execution, collapsed, scrolled, papermill ...) is volatile
# language_info as the toolkit's kernel reports it (JupyterLab writes it on connecting, and marks
# the notebook modified if it differs), or just the name.
LANGUAGE_INFO = {"name", "version", "mimetype", "codemirror_mode", "pygments_lexer", "nbconvert_exporter", "file_extension"}


def tracked_notebooks() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    untracked = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return sorted(ROOT / p for p in {*out, *untracked})


def problems(path: Path) -> list[str]:
    """Every way a notebook file is not a clean template, named by cell."""
    raw = path.read_text(encoding="utf-8")
    nb = json.loads(raw)
    found = []
    if (nb.get("nbformat"), nb.get("nbformat_minor")) != (4, 5):
        found.append(f"nbformat {nb.get('nbformat')}.{nb.get('nbformat_minor')}, not 4.5 (JupyterLab would upgrade it on open)")
    meta = nb.get("metadata", {})
    info = meta.get("language_info", {})
    if set(meta) != {"kernelspec", "language_info"} or meta["kernelspec"] != KERNELSPEC or info.get("name") != "python" or set(info) - LANGUAGE_INFO:
        found.append(f"notebook metadata {meta} is not just the toolkit kernelspec and the kernel's language_info")
    for i, cell in enumerate(nb.get("cells", [])):
        where = f"cell {i} ({cell.get('id', 'no id')})"
        if "id" not in cell:
            found.append(f"{where} has no id")
        if extra := set(cell.get("metadata", {})) - CELL_METADATA:
            found.append(f"{where} carries volatile metadata {sorted(extra)}")
        if cell.get("cell_type") == "code":
            if cell.get("outputs"):
                found.append(f"{where} has outputs")
            if cell.get("execution_count") is not None:
                found.append(f"{where} has an execution count")
    # stored exactly as nbformat (and so JupyterLab) writes it: no reformat on first save
    if not found and raw != nbformat.writes(nbformat.reads(raw, as_version=4)) + "\n":
        found.append("not stored in nbformat's own layout (1-space indent, sorted keys, final newline)")
    return found


@pytest.mark.parametrize("path", tracked_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_notebook_is_a_clean_template(path):
    assert problems(path) == []


def test_the_check_catches_a_run_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}, "widgets": {"state": {}}})
    cell = nbformat.v4.new_code_cell("1 + 1", execution_count=3, outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)])
    cell.metadata["execution"] = {"iopub.status.busy": "2026-11-30T03:00:00Z"}
    nb.cells = [cell]
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    found = problems(path)
    assert any("notebook metadata" in p for p in found)
    assert any("has outputs" in p for p in found) and any("execution count" in p for p in found)
    assert any("volatile metadata ['execution']" in p for p in found)


def test_working_copies_are_git_ignored():
    ignored = subprocess.run(["git", "check-ignore", "-q", "work/designation_review.ipynb"], cwd=ROOT)
    assert ignored.returncode == 0, "work/ (make lab's working copies) must be in .gitignore"
    make = (ROOT / "Makefile").read_text()
    lab = make.split("\nlab:")[1].split("\n\n")[0]
    assert "--notebook-dir=work" in lab and "$(ROOT_FLAG)" in lab and "127.0.0.1" in lab
    assert "--allow-root" in make.split("ROOT_FLAG :=")[1].splitlines()[0]


def test_app_notebooks_carry_the_kernels_language_info():
    """So that JupyterLab does not mark them modified when the kernel connects."""
    from ipykernel.ipkernel import IPythonKernel

    for path in sorted((ROOT / "notebooks" / "app").glob("*.ipynb")):
        info = json.loads(path.read_text())["metadata"]["language_info"]
        assert {k: v for k, v in info.items() if k != "version"} == {k: v for k, v in IPythonKernel.language_info.items() if k != "version"}, path.name
