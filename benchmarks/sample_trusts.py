"""Generated sample trusts for the benchmarks, cached between runs (generation is slow at
1,000 schools and is not what the benchmarks measure)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "toolkit-bench"


def tracker_file(n_schools: int) -> Path:
    """The generated sample trust with ``n_schools`` schools, written once and reused."""
    from toolkit.tracker.sample import write_sample

    path = CACHE / f"tracker-{n_schools}.xlsx"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        write_sample(path, n_schools=n_schools)
        print(f"generated {path} in {time.perf_counter() - start:.1f} s")
    return path
