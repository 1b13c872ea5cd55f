"""The tracker's query indexes: built once per table, and shared by the shallow copies a
batch kernel gives each report (else every report re-indexed the whole trust)."""

from __future__ import annotations

import pandas as pd

from toolkit.batch.kernel import _fresh_copy
from toolkit.tracker.queries import indexed, school_rows, shallow_copy


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"urn": [900001, 900002, 900001, None], "value": [1.0, 2.0, 3.0, 4.0]})


def test_copies_share_the_index_of_the_table_they_copy():
    source = _frame()
    builds: list[int] = []

    def build(f: pd.DataFrame) -> int:
        builds.append(len(f))
        return len(builds)

    first, second = shallow_copy(source), shallow_copy(shallow_copy(source))
    assert indexed(first, "test-kind", build) == 1
    assert indexed(second, "test-kind", build) == 1  # a copy of a copy: same source
    assert indexed(source, "test-kind", build) == 1
    assert builds == [4]  # built once
    assert indexed(_frame(), "test-kind", build) == 2  # another table: its own index


def test_a_copy_stays_its_own_table():
    """Sharing the index does not share the table: a report that adds a column to its copy
    leaves the cached tracker and the other reports' copies as they were."""
    source = _frame()
    mine, theirs = shallow_copy(source), shallow_copy(source)
    mine["extra"] = 1
    assert "extra" not in source and "extra" not in theirs


def test_each_report_in_a_warm_kernel_reuses_the_cached_trackers_indexes(sample_tracker):
    """Two reports' copies of the cached tracker: the by-school index is built once, and
    gives each the school's rows."""
    cached = sample_tracker
    one, two = _fresh_copy(cached), _fresh_copy(cached)
    assert one.tables["outcomes"] is not two.tables["outcomes"]
    rows_one = school_rows(one, "outcomes", 900006)
    rows_two = school_rows(two, "outcomes", 900006)
    assert rows_one is rows_two  # the same index entry: not rebuilt for the second report
    expected = cached.tables["outcomes"].loc[cached.tables["outcomes"]["urn"] == 900006]
    assert len(rows_one) == len(expected) > 0
    pd.testing.assert_frame_equal(rows_one, expected)
