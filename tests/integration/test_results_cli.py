"""`python -m engine results …`, `status --json` and `export --format pdf` from the shell."""

from __future__ import annotations

import io
import json

import pypdf

from tests.support.commands import shell
from tests.support.events import seed_event
from tests.support.rounds import play_round

SCORES = [{1: "6", 2: "7", 3: "6.5"}, {1: "9", 2: "8.5", 3: "9.5"}]


def test_sign_off_from_the_shell_shows_in_status_and_a_second_one_is_refused(svc, clock):
    tokens = seed_event(svc, performers=2)
    play_round(svc, clock, tokens, SCORES, {(1, 2): "Bold choices."})
    before = json.loads(shell("status", "--json").stdout)
    assert (before["results_status"], before["signed_off_by"], before["signed_off_at"]) == (
        "provisional",
        None,
        None,
    )
    done = shell("results", "signoff")
    assert done.returncode == 0 and "are official: signed off by operator" in done.stdout
    after = json.loads(shell("status", "--json").stdout)
    assert after["results_status"] == "official" and after["signed_off_by"] == "operator"
    assert isinstance(after["signed_off_at"], float) and after["phase"] == "FINISHED"
    again = shell("results", "signoff")
    assert again.returncode == 2
    assert again.stderr.strip() == "The results are already official (signed off by operator)."


def test_export_pdf_writes_one_performers_sheet_or_the_round(svc, clock, tmp_path):
    tokens = seed_event(svc, performers=2)
    play_round(svc, clock, tokens, SCORES, {(1, 2): "Bold choices."})
    sheet = tmp_path / "sheet.pdf"
    out = shell("export", "--format", "pdf", "--performer", "performer 2", "--out", str(sheet))
    assert out.returncode == 0, out.stderr
    text = pypdf.PdfReader(io.BytesIO(sheet.read_bytes())).pages[0].extract_text()
    assert "Performer: Performer 2" in text and "Judge 2: Bold choices." in text and "Rank: 1" in text
    whole = tmp_path / "results.pdf"
    assert shell("export", "--format", "pdf", "--out", str(whole)).returncode == 0
    text = pypdf.PdfReader(io.BytesIO(whole.read_bytes())).pages[0].extract_text()
    assert "Performer 2 1" in text and "Performer 1 2" in text
    missing = shell("export", "--format", "pdf", "--performer", "Nobody", "--out", str(whole))
    assert missing.returncode == 2 and "There is no performer called 'Nobody'" in missing.stderr
    no_out = shell("export", "--format", "pdf")
    assert no_out.returncode == 2 and no_out.stderr.strip() == "--format pdf writes a file: add --out FILE."
