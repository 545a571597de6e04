"""`python -m engine vote status | code`, `status --json`'s `audience` and the exports' audience results,
run from the shell against DynamoDB Local on votes cast through the one way in (svc.votes.cast)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from decimal import Decimal

import pypdf

from engine.cli import votes as cli_votes
from engine.domain.model import Settings, VoteMode, VoteSettings
from engine.views import qr
from tests.support.commands import shell
from tests.support.events import seed_event, two_stages
from tests.support.rounds import ADMIN, close_window, open_scoring, play_round, run_votes

PER_ACT = Settings(
    perform_seconds=10, score_seconds=30, votes=VoteSettings(VoteMode.PER_ACT, grace_seconds=20)
)
FINAL_COMBINED = Settings(
    perform_seconds=10,
    score_seconds=30,
    votes=VoteSettings(VoteMode.FINAL, final_minutes=0, jury_percent=50),
)
STARS = ([4, 2, 5], [5, 4])  # the first and the second performer's phones; the third gets none
EUROVISION = (12, 10, 8, 7, 6, 5, 4, 3, 2, 1)


def cast(svc, code: str, value) -> None:
    svc.votes.cast(svc.votes.new_device(), "10.0.0.1", code, value, uuid.uuid4().hex)


def per_act_show(svc, clock) -> tuple[list[str], dict[str, str]]:
    """The first performer's vote cast and closed, the second's cast and still open (they are on stage),
    the third not on yet. Returns the running order and each opened window's code."""
    seed_event(svc, settings=PER_ACT)
    order = list(svc.bundle().state.order)
    open_scoring(svc, clock)
    codes = {order[0]: run_votes(svc, clock)[order[0]].code}
    for stars in STARS[0]:
        cast(svc, codes[order[0]], stars)
    close_window(svc, clock)
    open_scoring(svc, clock)  # the second on stage: the first's vote closes 20 s later
    codes[order[1]] = run_votes(svc, clock)[order[1]].code
    for stars in STARS[1]:
        cast(svc, codes[order[1]], stars)
    clock.advance(21)
    windows = run_votes(svc, clock)
    assert windows[order[0]].closed and not windows[order[1]].closed
    return order, codes


def expected_stars(order: list[str]) -> dict[str, tuple[int, int, Decimal | None, int | None]]:
    """performer -> (votes, stars, mean to two places, rank by mean then votes), from STARS."""
    got = {}
    for i, pid in enumerate(order):
        given = STARS[i] if i < len(STARS) else []
        mean = (Decimal(sum(given)) / len(given)).quantize(Decimal("0.01")) if given else None
        got[pid] = (len(given), sum(given), mean)
    voted = sorted((p for p in order if got[p][0]), key=lambda p: (got[p][2], got[p][0]), reverse=True)
    return {p: (*got[p], voted.index(p) + 1 if p in voted else None) for p in order}


def table(text: str, title: str) -> dict[str, list[str]]:
    """The rows of the text table under `title` (up to the next blank line), by name ('Performer N')."""
    lines = text.splitlines()
    rows = {}
    for line in lines[lines.index(title) + 2 :]:
        if not line.strip():
            break
        cells = line.split()
        rows[" ".join(cells[:2])] = cells[2:]
    return rows


def test_vote_status_shows_each_performers_votes_stars_rank_and_each_window(svc, clock):
    order, _ = per_act_show(svc, clock)
    want = expected_stars(order)
    names = {p.performer_id: p.name for p in svc.snapshot().performers}

    shown = shell("vote", "status")
    assert shown.returncode == 0, shown.stderr
    assert "the tally is hidden from the public until the admin reveals it" in shown.stdout
    rows = table(shown.stdout, "People's choice")
    for pid, (votes, stars, mean, rank) in want.items():
        cells = [
            str(votes),
            str(stars),
            "-" if mean is None else str(mean),
            "-" if rank is None else str(rank),
        ]
        assert rows[names[pid]][:4] == cells
    windows = shown.stdout.split("\nWindows\n")[1].splitlines()
    assert windows[0].split()[2] == "closed" and names[order[0]] in windows[0]
    assert windows[1].split()[2] == "open" and names[order[1]] in windows[1]
    assert len(windows) == 2  # the third has not been on stage

    as_json = json.loads(shell("vote", "status", "--json").stdout)
    assert as_json["mode"] == "per_act" and as_json["revealed"] is False
    assert [(w["window"], w["state"], w["votes"]) for w in as_json["windows"]] == [
        (order[0], "closed", len(STARS[0])),
        (order[1], "open", len(STARS[1])),
    ]
    by_id = {p["performer_id"]: p for p in as_json["performers"]}
    for pid, (votes, stars, mean, rank) in want.items():
        got = by_id[pid]
        assert (got["votes"], got["stars"], got["mean"], got["rank"]) == (
            votes,
            stars,
            None if mean is None else str(mean),
            rank,
        )
    status = json.loads(shell("status", "--json").stdout)
    assert status["audience"] == as_json


def test_vote_code_prints_each_open_windows_code_url_and_qr_code(svc, clock):
    order, codes = per_act_show(svc, clock)
    name = svc.snapshot().performer_name(order[1])
    given = shell("vote", "code", "--base-url", "https://show.example/app/")
    assert given.returncode == 0, given.stderr
    url = f"https://show.example/app/vote?code={codes[order[1]]}"
    assert f"Vote for {name}: code {codes[order[1]]}" in given.stdout and url in given.stdout.splitlines()
    assert qr.terminal(url) in given.stdout  # the QR code carries that URL
    assert codes[order[0]] not in given.stdout  # a closed window's code is not shown

    from_env = shell("vote", "code", env={"STAGESCORE_BASE_URL": "https://env.example"})
    assert f"https://env.example/vote?code={codes[order[1]]}" in from_env.stdout.splitlines()


def test_vote_code_says_when_no_window_is_open_or_voting_is_off(svc, clock):
    seed_event(svc, settings=PER_ACT)  # in the lobby: no performer has been on stage
    waiting = shell("vote", "code")
    assert (waiting.returncode, waiting.stdout.strip()) == (1, cli_votes.NONE_OPEN)
    svc.update_settings(None, Settings())
    off = shell("vote", "code")
    assert (off.returncode, off.stdout.strip()) == (1, cli_votes.OFF)
    assert shell("vote", "status").stdout.strip() == cli_votes.OFF
    assert "audience" not in json.loads(shell("status", "--json").stdout)


def test_vote_code_and_status_take_a_stage(svc, clock):
    two_stages(svc, settings=PER_ACT)
    second = svc.on("s2")
    state = open_scoring(second, clock)
    code = run_votes(second, clock)[state.performer_id].code
    cast(second, code, 3)
    there = shell("vote", "code", "--stage", "s2")
    assert there.returncode == 0 and f"code {code}" in there.stdout
    here = shell("vote", "code", "--stage", "s1")
    assert (here.returncode, here.stdout.strip()) == (1, cli_votes.NONE_OPEN)
    tallied = json.loads(shell("vote", "status", "--json", "--stage", "s2").stdout)
    assert [(w["window"], w["votes"]) for w in tallied["windows"]] == [(state.performer_id, 1)]
    assert json.loads(shell("vote", "status", "--json", "--stage", "s1").stdout)["windows"] == []


def final_show(svc, clock) -> tuple[list[str], dict[str, int], str]:
    """A round the jury scored (the second best), then a final vote by hand the audience gave mostly to
    the first; returns the running order, the votes each performer got and the admin's token."""
    tokens = seed_event(svc, settings=FINAL_COMBINED)
    play_round(svc, clock, tokens, [{1: "6", 2: "7"}, {1: "9", 2: "8"}, {1: "5", 2: "5"}])
    order = list(svc.bundle().state.order)
    svc.votes.open_final(tokens[ADMIN])
    (opened,) = svc.votes.codes()
    given = {order[0]: 3, order[1]: 1, order[2]: 0}
    for pid, count in given.items():
        for _ in range(count):
            cast(svc, opened.code, pid)
    svc.votes.close_final(tokens[ADMIN])
    clock.advance(0.1)
    run_votes(svc, clock)
    return order, given, tokens[ADMIN]


def test_a_final_vote_shows_points_and_the_combined_ranking(svc, clock):
    order, given, admin = final_show(svc, clock)
    names = {p.performer_id: p.name for p in svc.snapshot().performers}
    jury = {r.performer_id: r.rank for r in svc.snapshot().results}
    audience = {
        pid: sorted(given.values(), reverse=True).index(n) + 1 if n else None for pid, n in given.items()
    }
    points = lambda rank: EUROVISION[rank - 1] if rank else 0  # noqa: E731
    combined = {p: Decimal(points(jury[p]) + points(audience[p])) / 2 for p in order}

    shown = shell("vote", "status")
    assert shown.returncode == 0, shown.stderr
    rows = table(shown.stdout, "People's choice")
    for pid, votes in given.items():
        assert rows[names[pid]][:2] == [str(votes), "-" if audience[pid] is None else str(audience[pid])]
    assert "Combined ranking (jury 50 %, audience 50 %)" in shown.stdout
    ranked = shown.stdout.split("Combined ranking (jury 50 %, audience 50 %)\n")[1].splitlines()[1:]
    got = {" ".join(line.split()[1:3]): line.split()[3:] for line in ranked}
    assert {name: Decimal(cells[0]) for name, cells in got.items()} == {names[p]: combined[p] for p in order}
    for p in order:  # the ranks the points come from
        assert got[names[p]][1:] == [str(jury[p]), "-" if audience[p] is None else str(audience[p])]
    best = max(order, key=lambda p: (combined[p], -jury[p]))
    assert ranked[0].split()[0] == "1" and names[best] in ranked[0]
    assert "Final vote" in shown.stdout.split("\nWindows\n")[1] and " closed " in shown.stdout

    audience_json = json.loads(shell("status", "--json").stdout)["audience"]
    assert {p["performer_id"]: p["points"] for p in audience_json["performers"]} == given
    assert audience_json["combined"]["jury_percent"] == 50

    svc.votes.reveal(admin)
    assert "the tally is revealed to the public" in shell("vote", "status").stdout
    assert json.loads(shell("vote", "status", "--json").stdout)["revealed"] is True


def test_the_exports_carry_the_audiences_results(svc, clock, tmp_path):
    order, given, _ = final_show(svc, clock)
    audience = svc.votes.status()
    places = {p.performer_id: p.rank for p in audience.places}
    combined = {c.performer_id: c for c in audience.combined}

    exported = shell("export", "--format", "csv")
    assert exported.returncode == 0, exported.stderr
    results = list(csv.DictReader(io.StringIO(exported.stdout.split("\n\n")[0])))
    assert {r["performer_id"] for r in results} == set(order)
    for r in results:
        pid = r["performer_id"]
        assert int(r["audience_points"]) == int(r["audience_votes"]) == given[pid]
        assert r["audience_rank"] == ("" if places[pid] is None else str(places[pid]))
        assert (r["combined_points"], r["combined_rank"]) == (
            str(combined[pid].points),
            str(combined[pid].rank),
        )

    doc = json.loads(shell("export", "--format", "json").stdout)
    assert doc["audience"] == audience.as_json()  # the operator's export: before the reveal too
    assert {r["performer_id"]: r["audience_votes"] for r in doc["results"]} == given

    pdf = tmp_path / "results.pdf"
    assert shell("export", "--format", "pdf", "--out", str(pdf)).returncode == 0
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "People's choice (audience vote)" in text and "Not yet revealed to the public." in text
    assert "Combined ranking (jury 50 %, audience 50 %)" in text
