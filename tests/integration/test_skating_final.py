"""A ballroom final scrutineered by the skating system through the engine: five judges score six couples
in five dances (one criterion each) through the one score path, windows opened and closed on the test
clock; the results are the skating system's, rule 11 included, and the desk's calculation, the results
PDF and the what-if table show it. The marks are those of the TSO appendix's rule 11 example (see
tests/unit/test_skating.py), each place p entered as the score 7 - p."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf

from engine.analytics import standings
from engine.domain.model import Criterion, Rule, Settings
from engine.views import calculation, sheets
from tests.support.events import seed_event
from tests.support.rounds import close_window, judge, open_scoring

DANCES = ("Waltz", "Tango", "Viennese Waltz", "Slow Foxtrot", "Quickstep")
# dance -> judge number -> each couple's place, couples in running order (the example's 25, 35, … 75)
PLACES = {
    "Waltz": {1: [1, 2, 4, 3, 6, 5], 2: [1, 2, 5, 3, 6, 4], 3: [2, 5, 3, 6, 1, 4], 4: [5, 2, 1, 3, 4, 6],
              5: [3, 5, 1, 6, 4, 2]},
    "Tango": {1: [1, 5, 3, 4, 2, 6], 2: [2, 3, 1, 4, 5, 6], 3: [2, 1, 3, 4, 5, 6], 4: [3, 2, 1, 4, 5, 6],
              5: [4, 2, 3, 1, 5, 6]},
    "Viennese Waltz": {1: [1, 3, 5, 2, 4, 6], 2: [1, 2, 3, 6, 4, 5], 3: [2, 1, 3, 6, 5, 4],
                       4: [2, 1, 6, 3, 5, 4], 5: [3, 2, 1, 4, 6, 5]},
    "Slow Foxtrot": {1: [2, 1, 5, 3, 6, 4], 2: [2, 1, 6, 3, 4, 5], 3: [5, 2, 3, 1, 6, 4],
                     4: [1, 5, 2, 3, 6, 4], 5: [5, 2, 3, 6, 4, 1]},
    "Quickstep": {1: [2, 1, 3, 5, 4, 6], 2: [6, 5, 2, 1, 4, 3], 3: [2, 1, 4, 5, 6, 3], 4: [6, 5, 2, 1, 3, 4],
                  5: [1, 2, 4, 3, 6, 5]},
}  # fmt: skip
EXPECTED = [2, 1, 3, 4, 6, 5]  # 35 wins 1st from 25 by rule 11; 65 and 75 by the summary's totals


def test_a_ballroom_final_by_the_skating_system_ends_in_the_skating_places(svc, clock):
    criteria = tuple(Criterion(d, Decimal(1), Decimal(6), Decimal(1)) for d in DANCES)
    settings = Settings(perform_seconds=10, score_seconds=30, rule=Rule.SKATING, criteria=criteria)
    tokens = seed_event(svc, judges=5, performers=6, settings=settings)
    order = list(svc.bundle().state.order)
    for couple in range(6):
        state = open_scoring(svc, clock)
        for j in range(1, 6):
            marks = {d: str(7 - PLACES[d][j][couple]) for d in DANCES}
            svc.submit_score(tokens[judge(j)], state.performer_id, marks)
        close_window(svc, clock)

    snap = svc.snapshot()
    ranks = {r.performer_id: r.rank for r in snap.results}
    assert [ranks[pid] for pid in order] == EXPECTED
    first, second = snap.results[:2]
    assert first.total == second.total == Decimal("7.5")  # the summary's sums of places, equal

    refused, tables = calculation.tables(snap)
    assert refused is None
    titles = [t.title for t in tables]
    assert titles[:5] == list(DANCES) and titles[5] == "Summary (rules 9-11)"  # in the criteria's order
    assert titles[6].startswith("Rule 11 for 1st place")
    rule11 = {row[0]: row for row in tables[6].rows}
    assert rule11["Performer 2"][1:3] == ("7", "17") and rule11["Performer 1"][1:3] == ("7", "16")
    assert tables[0].columns[1:6] == ("Judge 1", "Judge 2", "Judge 3", "Judge 4", "Judge 5")

    pdf = sheets.results_pdf(snap, svc.results.release(snap.event_id))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Summary (rules 9-11)" in text and "Rule 11 for 1st place" in text

    what_if = standings.what_if(snap).set_index("Performer")
    assert what_if["Skating system (event's rule)"].to_dict()["Performer 2"] == 1
    assert "Normalised" in what_if.columns
