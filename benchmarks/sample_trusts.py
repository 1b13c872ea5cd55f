"""Generated sample trusts for the benchmarks, cached between runs (generation is slow at
1,000 schools and is not what the benchmarks measure).

A cached tracker is named after the generator's source (every module of
``toolkit/tracker``), so one written by older code is never measured in place of what the
code generates now.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "toolkit-bench"
GENERATOR = Path(__file__).resolve().parents[1] / "toolkit" / "tracker"


def generator_digest(*packages: str) -> str:
    """A short digest of the tracker package's source (and of any other ``toolkit``
    ``packages`` named): changes whenever the generated files may."""
    h = hashlib.sha256()
    for folder in (GENERATOR, *(GENERATOR.parent / p for p in packages)):
        for source in sorted(folder.glob("*.py")):
            h.update(f"{folder.name}/{source.name}".encode() + b"\0" + source.read_bytes())
    return h.hexdigest()[:10]


def tracker_file(n_schools: int) -> Path:
    """The generated sample trust with ``n_schools`` schools, written once and reused."""
    from toolkit.tracker.sample import write_sample

    path = CACHE / f"tracker-{n_schools}-{generator_digest()}.xlsx"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        write_sample(path, n_schools=n_schools)
        print(f"generated {path} in {time.perf_counter() - start:.1f} s")
    return path
