from toolkit.tracker.problems import ProblemReport


def test_report_groups_errors_then_warnings_with_place_and_fix():
    r = ProblemReport("tracker.xlsx")
    r.warning("Cohort is small.", "Check the cohort.", sheet="Outcomes", cell="E4")
    r.error("Unknown URN 123456.", "Add the school to Schools.", sheet="Visits", cell="B7")
    text = r.render()
    assert text.index("Errors") < text.index("Warnings")
    assert "Visits!B7: Unknown URN 123456." in text and "Fix: Add the school to Schools." in text
    assert not r.ok and len(r.errors) == 1 and len(r.warnings) == 1


def test_empty_report_says_so():
    assert ProblemReport().render() == "No problems found."
    assert ProblemReport().ok
