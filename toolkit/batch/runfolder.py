"""Run folders and their index pages: where a run's files go, and how a finished report
becomes visible (only once its HTML and PDF are both in place).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.batch.jobs import Job, JobResult
from toolkit.outputs import atomic_write
from toolkit.reports.html import escape

INCOMPLETE_SUFFIX = ".incomplete"
# The provenance entry that carries the tracker's warnings (one per line, the first line a
# count); the run index shows it as its own "Data quality" section, not a provenance row.
DATA_QUALITY = "Data quality"

# --------------------------------------------------------------------------- the run folder


def new_run_dir(term_dir: Path, now: dt.datetime | None = None) -> Path:
    """Create ``<term_dir>/run-<UTC time>.incomplete/`` (never an existing folder)."""
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    term_dir.mkdir(parents=True, exist_ok=True)
    for n in range(1000):
        name = f"run-{stamp}" + (f"-{n}" if n else "")
        if (term_dir / name).exists():
            continue
        try:
            (term_dir / (name + INCOMPLETE_SUFFIX)).mkdir()
        except FileExistsError:
            continue
        return term_dir / (name + INCOMPLETE_SUFFIX)
    raise RuntimeError(f"could not create a new run folder in {term_dir}")


def _run_key(run: Path) -> str:
    """Runs sort by their start time (the name without ``.incomplete``)."""
    return run.name.removesuffix(INCOMPLETE_SUFFIX)


def runs(term_dir: Path) -> list[Path]:
    """Every run folder of the term, newest first."""
    return sorted(
        (p for p in term_dir.iterdir() if p.is_dir() and p.name.startswith("run-")),
        key=_run_key,
        reverse=True,
    )


def newest_complete_run(term_dir: Path) -> Path | None:
    """What ``latest`` means everywhere: the complete run that started last."""
    return next((r for r in runs(term_dir) if not r.name.endswith(INCOMPLETE_SUFFIX)), None)


@contextlib.contextmanager
def _term_lock(term_dir: Path) -> Iterator[None]:
    """One batch at a time may finish a run of this term (rename, ``latest``, index)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no concurrent runs to order
        yield
        return
    with open(term_dir / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def finish_run_dir(run_dir: Path) -> Path:
    """Rename the staging folder to its final name; ``latest`` and the term's index then name
    the newest complete run.

    With two runs at once, the one that started later is the latest even if it finishes
    first: ``latest`` and ``index.html`` are both derived from the folder names, under a lock,
    so they always agree.
    """
    final = run_dir.with_name(run_dir.name.removesuffix(INCOMPLETE_SUFFIX))
    shutil.rmtree(run_dir / ".work", ignore_errors=True)
    with _term_lock(final.parent):
        os.replace(run_dir, final)
        newest = newest_complete_run(final.parent) or final
        latest = final.parent / "latest"
        tmp = final.parent / f".latest.{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            tmp.symlink_to(newest.name, target_is_directory=True)
            os.replace(tmp, latest)
        except OSError:  # file systems without symlinks: the term index still names the latest run
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        write_term_index(final.parent)
    return final


def _remove_scratch(run_dir: Path) -> None:
    """Scratch notebooks, and files a killed worker was half-way through writing
    (``toolkit.outputs`` writes ``.<name>.<random>.partial`` then renames it)."""
    shutil.rmtree(run_dir / ".work", ignore_errors=True)
    for partial in run_dir.rglob(".*.partial"):
        with contextlib.suppress(OSError):
            partial.unlink()


def interrupted_run_dir(run_dir: Path) -> Path:
    """An interrupted run stays ``run-<time>.incomplete`` (its reports kept); scratch removed."""
    _remove_scratch(run_dir)
    with _term_lock(run_dir.parent):
        write_term_index(run_dir.parent)
    return run_dir


PLAN_FILE = ".work/plan.json"  # a running batch's plan and owner, for ``recount_abandoned_runs``


def _start_time(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


def record_plan(
    run_dir: Path, jobs: Sequence[Job], title: str, provenance: Mapping[str, str] | None
) -> None:
    """Note the run's jobs and its owner (this process), so that if it is killed outright the
    next batch can still give the run an index counting what it made."""
    import json

    data = {
        "pid": os.getpid(),
        "started": _start_time(os.getpid()),
        "title": title,
        "provenance": dict(provenance or {}),
        "jobs": [j.__dict__ for j in jobs],
    }
    atomic_write(run_dir / PLAN_FILE, json.dumps(data, default=str))


def recount_abandoned_runs(term_dir: Path) -> list[Path]:
    """Give each run whose batch was killed outright an index that counts its reports on disk.

    A killed batch cannot write its last index; the reports its workers finished meanwhile
    are on disk but unlisted. A run is abandoned when the process named in its plan is gone
    (or its PID now belongs to a process started at another time).
    """
    import json

    fixed = []
    if not term_dir.is_dir():
        return fixed
    for run in runs(term_dir):
        plan_path = run / PLAN_FILE
        if not run.name.endswith(INCOMPLETE_SUFFIX) or not plan_path.is_file():
            continue
        try:
            plan = json.loads(plan_path.read_text())
            jobs = [Job(**j) for j in plan["jobs"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if _start_time(int(plan["pid"])) == plan.get("started") and plan.get("started"):
            continue  # still running
        results = {
            j.key: JobResult(key=j.key, ok=True, html=j.html, pdf=j.pdf)
            for j in jobs
            if (run / j.html).is_file() and (j.pdf is None or (run / j.pdf).is_file())
        }
        for j in jobs:  # failures it kept before it was killed
            kept = run / "failed" / f"{j.key}.ipynb"
            if j.key not in results and kept.is_file():
                results[j.key] = JobResult(
                    key=j.key, ok=False, ename="Error", evalue="see the error notebook",
                    error_notebook=str(kept.relative_to(run)),
                )  # fmt: skip
        write_run_index(
            run,
            title=plan.get("title", run.name),
            jobs=jobs,
            results=results,
            interrupted="the batch was killed",
            provenance=plan.get("provenance"),
        )
        _remove_scratch(run)
        fixed.append(run)
    return fixed


def write_term_index(term_dir: Path) -> Path:
    """``<term>/index.html``: every run, newest first; the latest complete one (what ``latest``
    points at) and incomplete ones marked as such."""
    newest = newest_complete_run(term_dir)
    rows = []
    for run in runs(term_dir):
        if run.name.endswith(INCOMPLETE_SUFFIX):
            status = "incomplete (in progress, or stopped before it finished)"
        else:
            status = "latest" if run == newest else "earlier"
        rows.append(
            f'<tr><td><a href="{escape(run.name)}/index.html">{escape(run.name)}</a></td><td>{escape(status)}</td></tr>'
        )
    body = (
        '<table><thead><tr><th scope="col">Run</th><th scope="col">Status</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
    )
    return atomic_write(term_dir / "index.html", _page(f"Reports for {term_dir.name}", body))


INDEX_CSS = (
    "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:64em;margin:1em auto;padding:0 1em;color:#1b1f24;line-height:1.4}"
    "h1{color:#1d4e89;margin:.3em 0}h2{color:#1d4e89;border-bottom:1px solid #c9d1da;padding-bottom:.1em;margin-top:1.2em}"
    "table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #c9d1da;padding:.2em .5em;text-align:left;vertical-align:top}"
    "thead th{background:#eef2f6}td.num{text-align:right}.failed{color:#8a1c1c}.status{font-weight:bold}"
    ".glance{display:flex;flex-wrap:wrap;gap:1em 2em;background:#eef2f6;padding:.6em 1em;border-left:4px solid #1d4e89}"
    ".glance section{min-width:16em}.glance h3{margin:.2em 0}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(12em,1fr));gap:1em;list-style:none;padding:0}"
    ".card{border:1px solid #c9d1da;padding:.5em;background:#fff}.card img{display:block;width:100%;height:auto;border:1px solid #c9d1da;margin-bottom:.3em}"
    ".card .title{font-weight:bold}a{color:#1d4e89}main li{padding:.25em 0}.standing{font-size:.7em;color:#5a6470;font-weight:normal}"
    ".risk-High{color:#8a1c1c;font-weight:bold}.risk-Some{color:#7a4f00;font-weight:bold}.risk-Low{color:#1e6b38}"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1.0">'
        f"<style>{INDEX_CSS}</style></head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


THUMBS_DIR = "thumbnails"


def thumbnail(run_dir: Path, job: Job, *, make: bool = True) -> str | None:
    """A small PNG of the first page of ``job``'s PDF (``pdftoppm``, from poppler-utils),
    kept in the run folder; its path in the run, or None when there is none (yet).

    Made once: normally by the worker that printed the PDF (``start_thumbnail``), so with
    ``make`` False the index only links a thumbnail that exists; otherwise made here.
    """
    rel = _thumbnail_path(job)
    if rel is None or not (run_dir / job.pdf).is_file():
        return None
    if (run_dir / rel).is_file():
        return rel
    if not make:
        return None
    started = start_thumbnail(run_dir, job)
    return started.finish() if started is not None else None


def _thumbnail_path(job: Job) -> str | None:
    return f"{THUMBS_DIR}/{job.key.replace('/', '-')}.png" if job.pdf else None


@dataclass
class Thumbnailing:
    """A ``pdftoppm`` drawing one thumbnail; ``finish`` waits for it and puts it in place."""

    process: Any
    made: Path
    target: Path
    rel: str

    def done(self) -> bool:
        return self.process.poll() is not None

    def finish(self, timeout: float = 30.0) -> str | None:
        import subprocess

        try:
            code = self.process.wait(timeout=timeout)
            if code == 0:
                os.replace(self.made, self.target)
                return self.rel
        except (OSError, subprocess.SubprocessError):
            with contextlib.suppress(OSError):
                self.process.kill()
                self.process.wait(1)
        with contextlib.suppress(OSError):
            self.made.unlink()
        return None


def start_thumbnail(run_dir: Path, job: Job) -> Thumbnailing | None:
    """Start drawing ``job``'s thumbnail without waiting for it (a worker then goes on with
    its next report); None when there is no PDF or no pdftoppm."""
    import subprocess

    rel = _thumbnail_path(job)
    exe = shutil.which("pdftoppm")
    if rel is None or exe is None or not (run_dir / job.pdf).is_file():
        return None
    target = run_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    # drawn in the run's scratch folder (removed with it if the run is stopped), then moved
    tmp = run_dir / ".work" / f"thumb-{target.stem}-{os.getpid()}"  # pdftoppm adds ".png"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    made = tmp.with_name(tmp.name + ".png")
    try:
        process = subprocess.Popen(
            [exe, "-f", "1", "-l", "1", "-scale-to", "240", "-png", "-singlefile", str(run_dir / job.pdf), str(tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None
    return Thumbnailing(process, made, target, rel)


def _schools_summary(run_dir: Path) -> list[dict]:
    """The run's schools summary (``data/schools-summary.json``); [] until it is written."""
    import json

    path = run_dir / "data" / "schools-summary.json"
    try:
        return list(json.loads(path.read_text(encoding="utf-8"))["schools"])
    except (OSError, ValueError, KeyError, TypeError):
        return []


def term_at_a_glance(schools: list[dict]) -> str:
    """The term at a glance, from the run's schools summary: schools by designation, what is
    late, support flags. Empty until the summary is written."""
    from toolkit.reports.labels import label

    if not schools:
        return ""
    counts: dict[tuple[str, str], int] = {}
    for s in schools:
        key = (s.get("designation") or "none", s.get("risk") or "not assessed")
        counts[key] = counts.get(key, 0) + 1
    worst_first = {"High": 0, "Some": 1, "Low": 2}
    ordered = sorted(counts.items(), key=lambda kv: worst_first.get(kv[0][1].split(" ")[0], 3))
    rows = "".join(
        f'<tr><th scope="row">{escape(d)}</th><td class="risk-{escape(r.split(" ")[0])}">{escape(r)}</td><td class="num">{n}</td></tr>'
        for (d, r), n in ordered
    )
    late = []
    for s in schools:
        for kind in ("late_report", "missing_report", "missed_visit"):
            n = int(s.get(f"compliance_{kind}") or 0)
            if n:
                late.append(f"{s['name']}: {label(kind).lower()} ({n})")
    flags = [f"{s['name']}: {s['support_flags']}" for s in schools if s.get("support_flags")]

    def items(values: list[str], empty: str) -> str:
        if not values:
            return f"<p>{escape(empty)}</p>"
        return "<ul>" + "".join(f"<li>{escape(v)}</li>" for v in values) + "</ul>"

    return (
        '<h2 id="glance">The term at a glance</h2><div class="glance">'
        '<section><h3>Schools by designation</h3><table><thead><tr><th scope="col">Designation</th>'
        f'<th scope="col">Risk</th><th scope="col" class="num">Schools</th></tr></thead><tbody>{rows}</tbody></table></section>'
        f"<section><h3>What is late this academic year</h3>{items(late, 'Nothing is late.')}</section>"
        f"<section><h3>Support flags</h3>{items(flags, 'No support flags.')}</section>"
        "</div>"
    )


def write_run_index(
    run_dir: Path,
    *,
    title: str,
    jobs: Sequence[Job],
    results: Mapping[str, JobResult],
    extras: Sequence[tuple[str, str]] = (),
    finished: bool = False,
    interrupted: str | None = None,
    provenance: Mapping[str, str] | None = None,
    problems: Sequence[str] = (),
    make_thumbnails: bool = True,
) -> Path:
    """The run's ``index.html``: links only to reports whose files are complete.

    ``make_thumbnails`` False (while the run goes on) shows the thumbnails the workers have
    drawn so far and draws none here.

    ``problems`` are other outputs (calendars, data files) that could not be written: they
    count as failures in the status line and are listed, so the index never says all is
    well when a file is missing.

    Called after every finished report, so it is always true: a report listed here has its
    HTML and PDF in place. ``interrupted`` (the signal's name) marks a run that was stopped.
    """
    done = [j for j in jobs if j.key in results and results[j.key].ok]
    failed = [results[j.key] for j in jobs if j.key in results and not results[j.key].ok]
    pending = len(jobs) - len(done) - len(failed)
    other = f" {len(problems)} other output(s) failed." if problems else ""
    if interrupted:
        status = (
            f"Incomplete: {len(done)} of {len(jobs)} reports made; run interrupted ({interrupted}) "
            f"before it finished. {len(failed)} failed, {pending} not made.{other}"
        )
    else:
        state = "Finished" if finished else "In progress (reports appear here as they are completed)"
        status = f"{state}: {len(done)} of {len(jobs)} reports done, {len(failed)} failed, {pending} to do.{other}"
    parts = [f'<p class="status">{escape(status)}</p>']
    if failed:
        parts.append('<h2 class="failed">Failed</h2><ul>')
        for r in failed:
            link = (
                f' (<a href="{escape(r.error_notebook)}">error notebook</a>)'
                if r.error_notebook
                else ""
            )
            parts.append(f'<li class="failed">{escape(r.describe())}{link}</li>')
        parts.append("</ul>")
    provenance = dict(provenance or {})
    quality = provenance.pop(DATA_QUALITY, None)
    if quality is not None:
        head, *lines = str(quality).splitlines() or [""]
        parts.append(f'<h2>{escape(DATA_QUALITY)}</h2><p class="data-quality">{escape(head)}</p>')
        if lines:
            parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")
    if problems:
        parts.append('<h2 class="failed">Outputs not written</h2><ul>')
        parts.extend(f'<li class="failed">{escape(p)}</li>' for p in problems)
        parts.append("</ul>")
    schools = _schools_summary(run_dir)
    parts.append(term_at_a_glance(schools))
    standing = {
        f"({s['urn']})": f" \u00b7 {s.get('designation') or 'no designation'}, {s.get('risk') or 'not assessed'}"
        for s in schools
    }
    by_section: dict[str, list[Job]] = {}
    for j in done:
        by_section.setdefault(j.section, []).append(j)
    for section, items in by_section.items():
        badge = next((v for k, v in standing.items() if section.endswith(k)), "")
        parts.append(f'<h2>{escape(section)}<span class="standing">{escape(badge)}</span></h2><ul class="cards">')
        for j in items:
            pdf = f' &middot; <a href="{escape(j.pdf)}">PDF</a>' if j.pdf else ""
            thumb = thumbnail(run_dir, j, make=make_thumbnails)
            img = (
                f'<img src="{escape(thumb)}" alt="First page of {escape(j.title)}, {escape(section)}" width="240">'
                if thumb
                else ""
            )
            parts.append(
                f'<li class="card">{img}<span class="title">{escape(j.title)}</span><br><a href="{escape(j.html)}">HTML</a>{pdf}</li>'
            )
        parts.append("</ul>")
    if extras:
        parts.append("<h2>Calendars and data</h2><ul>")
        parts.extend(
            f'<li><a href="{escape(path)}">{escape(label)}</a></li>' for label, path in extras
        )
        parts.append("</ul>")
    if provenance:
        parts.append("<h2>Provenance</h2><table><tbody>")
        parts.extend(
            f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>' for k, v in provenance.items()
        )
        parts.append("</tbody></table>")
    return atomic_write(run_dir / "index.html", _page(title, "".join(parts)))
