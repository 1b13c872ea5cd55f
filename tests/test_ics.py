"""iCalendar output: parses with `icalendar`, stable unique UIDs, RFC 5545 framing."""

from __future__ import annotations

import datetime as dt

from calendar_examples import assessments, schools, tracker, visit, visits
from icalendar import Calendar

from toolkit.calendar.ics import calendar_bytes, input_stamp, slug, write_calendars
from toolkit.calendar.schedule import build_schedule

A, C = 900001, 900003


def small_trust(visit_date: str = "2026-09-15"):
    return tracker(
        schools=schools([(A, "Brookside Primary School"), (C, "St Aldhelm's CofE Primary School")]),
        assessments=assessments([(A, "2026/27", "Autumn", "Sustain"), (C, "2026/27", "Autumn", "Repair")]),
        visits=visits([visit("V1", A, visit_date, report="2026-09-17", paperwork="2026-09-07"),
                       visit("V2", C, "2026-11-24", end="2026-11-25", role="SIA", report="2026-11-27")]),
    )


def test_one_file_per_school_and_one_for_the_trust(tmp_path):
    paths = write_calendars(small_trust(), "2026/27", tmp_path)
    assert sorted(p.name for p in paths) == ["900001-brookside-primary-school.ics",
                                             "900003-st-aldhelm-s-cofe-primary-school.ics", "trust.ics"]
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_files_parse_and_round_trip_with_icalendar(tmp_path):
    t = small_trust()
    events = build_schedule(t, "2026/27")
    write_calendars(t, "2026/27", tmp_path, events=events)
    raw = (tmp_path / "trust.ics").read_bytes()
    cal = Calendar.from_ical(raw)
    assert cal["VERSION"] == "2.0" and cal["CALSCALE"] == "GREGORIAN" and cal["METHOD"] == "PUBLISH"
    assert str(cal["PRODID"]).startswith("-//School Improvement Toolkit//")
    assert str(cal["X-WR-CALNAME"]) == "Example Multi Academy Trust 2026/27"
    vevents = cal.walk("VEVENT")
    assert len(vevents) == len(events)
    assert cal.to_ical() == raw  # round trip: parse then serialise gives the same bytes
    # The two-day SIA visit: all-day DATE values, DTEND exclusive (Tue 24 -> Thu 26 Nov).
    (sia,) = [e for e in vevents if "SIA visit" in str(e["SUMMARY"]) and "report" not in str(e["SUMMARY"])]
    assert sia["DTSTART"].dt == dt.date(2026, 11, 24) and sia["DTEND"].dt == dt.date(2026, 11, 26)
    assert b"DTSTART;VALUE=DATE:20261124" in raw
    # The report deadline names its recipients.
    (report,) = [e for e in vevents if "SIA visit report due" in str(e["SUMMARY"])]
    assert "Send to: Deputy CEO." in str(report["DESCRIPTION"])
    assert str(report["SUMMARY"]).startswith("[St Aldhelm's CofE Primary School]")


def test_crlf_line_endings_and_folding():
    raw = calendar_bytes(build_schedule(small_trust(), "2026/27"), name="x", domain="d",
                         stamp=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    lines = raw.split(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends CRLF
    assert max(len(line) for line in lines) <= 75  # folded at 75 octets
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")


def test_uids_are_unique_in_a_file_stable_across_runs_and_survive_a_moved_visit(tmp_path):
    t = small_trust()
    write_calendars(t, "2026/27", tmp_path / "a")
    write_calendars(t, "2026/27", tmp_path / "b")
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes()  # deterministic
        uids = [str(e["UID"]) for e in Calendar.from_ical(f.read_bytes()).walk("VEVENT")]
        assert len(uids) == len(set(uids))
        assert all(u.endswith("@example-multi-academy-trust") for u in uids)
    # The September visit moves from 15 to 22 Sep: same UID, new date, so a re-import updates it.
    write_calendars(small_trust("2026-09-22"), "2026/27", tmp_path / "c")

    def september_visit(folder):
        cal = Calendar.from_ical((folder / "900001-brookside-primary-school.ics").read_bytes())
        return {str(e["UID"]): e["DTSTART"].dt for e in cal.walk("VEVENT") if "minimum visit (September)" in str(e["SUMMARY"])
                and "agenda" not in str(e["SUMMARY"])}

    before, after = september_visit(tmp_path / "a"), september_visit(tmp_path / "c")
    assert before.keys() == after.keys()
    assert list(before.values()) == [dt.date(2026, 9, 15)] and list(after.values()) == [dt.date(2026, 9, 22)]


def test_dtstamp_comes_from_the_inputs_not_the_clock():
    # The latest recorded date in small_trust is the SIA report sent Fri 27 Nov 2026.
    assert input_stamp(small_trust()) == dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def test_slug():
    assert slug("St Aldhelm's CofE Primary School") == "st-aldhelm-s-cofe-primary-school"
    assert slug("!!!") == "trust"
