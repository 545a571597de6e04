"""Security and layout rules that are checked on the repository itself."""

from __future__ import annotations

import re
import subprocess
import tomllib
from decimal import Decimal
from pathlib import Path

from engine.domain.model import Account, EventState, Performer, Phase, Role, Score, Settings
from engine.domain.snapshot import Snapshot, compute_results
from engine.views.exports import public_board

ROOT = Path(__file__).resolve().parents[2]


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / line for line in out.splitlines() if (ROOT / line).is_file()]


SECRET_PATTERNS = [
    re.compile(r"AKIA[0-9A-Z]{16}"),  # AWS access key id
    re.compile(r"aws_secret_access_key\s*=\s*[A-Za-z0-9/+]{40}", re.I),
    re.compile(r"-----BEGIN (RSA |EC |OPENSSH )?PRIVATE KEY-----"),
    re.compile(r"\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{20,}"),
]


def test_no_secret_is_committed():
    hits = []
    for path in tracked_files():
        if path.suffix in (".png", ".jpg", ".ico"):
            continue
        text = path.read_text(errors="ignore")
        hits += [f"{path.relative_to(ROOT)}: {p.pattern}" for p in SECRET_PATTERNS if p.search(text)]
    assert hits == []
    assert not (ROOT / ".streamlit" / "secrets.toml").exists() or ".streamlit/secrets.toml" not in [
        str(p.relative_to(ROOT)) for p in tracked_files()
    ]


def test_secret_scan_would_catch_a_key():
    fake_key = "AKIA" + "ABCDEFGHIJKLMNOP"  # built here, so this file itself holds no key
    assert any(p.search(f"key = {fake_key}") for p in SECRET_PATTERNS)


def test_xsrf_protection_stays_on_and_errors_stay_hidden():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "viewer"


def test_user_text_is_never_rendered_as_html():
    offenders = []
    for path in [ROOT / "Home.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        text = path.read_text()
        if re.search(r"unsafe_allow_html\s*=\s*True|st\.html\(|components\.v1\.html", text):
            offenders.append(path.name)
    assert offenders == []
    scripts = sorted((ROOT / "ui").rglob("*.js"))
    assert {p.name for p in scripts} >= {"board.js", "desk.js", "judge.js", "live_core.js"}
    for path in scripts:  # every browser component: text in through textContent, never as markup
        js = path.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in js, f"{path.name} uses {sink}"
    assert "e.textContent = String(text)" in (ROOT / "ui" / "components" / "live_core.js").read_text()


def test_engine_has_no_streamlit_and_boto3_lives_in_one_module():
    py = [p for p in (ROOT / "engine").rglob("*.py")]
    assert not [p.name for p in py if re.search(r"^\s*(import|from) streamlit", p.read_text(), re.M)]
    outside = [
        str(p.relative_to(ROOT))
        for p in tracked_files()
        if p.suffix == ".py"
        and not str(p.relative_to(ROOT)).startswith(("tests/", "bench/"))
        and re.search(r"^\s*(import|from) (boto3|botocore)", p.read_text(), re.M)
    ]
    assert outside == ["engine/store/client.py"]


def test_public_board_carries_no_email_or_credential():
    judges = [Account(f"judge{i}@secret.example", f"Judge {i}", Role.JUDGE) for i in (1, 2)]
    performers = [Performer("p1", "<script>x</script>", 1), Performer("p2", "B", 2)]
    scores = [Score("e", "p1", j.email, {"Score": Decimal(7)}, Decimal(7), 1, 1.0, 1.0, 2) for j in judges]
    settings = Settings(public_judge_scores=True)
    state = EventState("e", Phase.SCORING, ("p1", "p2"), 0, 2, 0.0, 30.0, version=3)
    snap = Snapshot(
        0.0,
        state,
        settings,
        performers,
        scores,
        judges,
        [j.email for j in judges],
        {judges[0].email: 1.0},
        compute_results(settings, performers, scores, judges),
    )
    doc = public_board(snap, 1.0)
    text = repr(doc)
    assert "@" not in text and "secret.example" not in text and "argon2" not in text
    assert doc["judge_names"] == ["Judge 1", "Judge 2"]
    assert doc["ranking"][0]["performer"] == "<script>x</script>"  # kept as data, rendered as text
