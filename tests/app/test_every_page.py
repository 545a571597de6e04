"""Every page in the menu, for every role, in each stage of an event (lobby, scoring, finished):
no exception, no outage banner, and each page either shows itself, sends a visitor to the login,
or refuses the wrong role."""

from __future__ import annotations

import pytest

from engine.domain.model import Command, CommandKind, Phase, Role
from tests.app.helpers import ADMIN, JUDGE, PASSWORD, open_page, open_scoring_now, start, texts
from ui import nav

PAGES = [
    nav.PAGES[name]
    for name in (*nav.PUBLIC, *nav.FESTIVAL, *nav.JUDGE, *nav.ADMIN, *nav.STREAMING, nav.LOGIN)
]
STREAMER = "stream@test.local"
HELP = "A judge is asking for help"  # the admin's alarm for judge3's raised hand, not a failure
OWNER = (  # who may open each protected page
    {nav.path_of(name): {Role.JUDGE} for name in nav.JUDGE}
    | {nav.path_of(name): {Role.ADMIN} for name in nav.ADMIN}
    | {nav.path_of(name): {Role.STREAMING, Role.ADMIN} for name in nav.STREAMING}
)


def walk(at, role: Role | None, stage: str) -> list[str]:
    """Open every page in turn, as a user following the menu; what went wrong, one line a page."""
    problems = []
    for path, title, *_ in PAGES:
        at = open_page(at, path)
        where = f"{stage}, {path}"
        titles, errors = texts(at.title), texts(at.error)
        owner = OWNER.get(path)
        if at.exception:
            problems.append(
                f"{where}: {[e.message for e in at.exception]} {[e.stack_trace for e in at.exception]}"
            )
        elif owner and role is None:
            if titles != ["Log in"]:
                problems.append(f"{where}: a visitor was not sent to the login (titles {titles})")
        elif owner and role not in owner:
            if not errors or not all(e.startswith("Not allowed") for e in errors) or titles:
                problems.append(
                    f"{where}: the {role.value} was not refused (titles {titles}, errors {errors})"
                )
        elif [e for e in errors if not e.startswith(HELP)] or not titles or title not in titles[0]:
            problems.append(f"{where}: expected the page {title!r}; titles {titles}, errors {errors}")
    return problems


@pytest.mark.parametrize(
    "role", [None, Role.JUDGE, Role.ADMIN, Role.STREAMING], ids=["public", "judge", "admin", "streaming"]
)
def test_every_page_runs_without_an_exception(svc, tokens, app, role):
    if role is Role.STREAMING:  # the streaming operator: the On air page, every judge's and admin's refused
        svc.add_account(None, STREAMER, "Stream desk", PASSWORD, Role.STREAMING)
        tokens = {**tokens, STREAMER: svc.logins.login(STREAMER, PASSWORD).token}
    who = {Role.JUDGE: JUDGE, Role.ADMIN: ADMIN, Role.STREAMING: STREAMER}
    at = app(svc.logins.whoami(tokens[who[role]]) if role else None)
    assert not at.exception, at.exception

    problems = walk(at, role, "lobby")
    start(svc, tokens)
    state = open_scoring_now(svc)
    svc.submit_score(tokens[JUDGE], state.performer_id, {"Score": "7.5"})
    svc.submit_score(tokens["judge2@test.local"], state.performer_id, {"Score": "6"})
    svc.raise_flag(tokens["judge3@test.local"])
    problems += walk(at, role, "scoring")
    svc.command(tokens[ADMIN], Command(CommandKind.FINISH))
    assert svc.bundle().state.phase is Phase.FINISHED
    problems += walk(at, role, "finished")

    assert not problems, "\n".join(problems)


def test_each_session_has_page_objects_of_its_own(svc, tokens, app):
    """st.navigation marks the page it returns callable once: a page object shared by two sessions
    running it at once refused one of them (an error id instead of the board for a crowd arriving)."""
    one, two = app(), app()
    assert not one.exception and not two.exception
    mine, theirs = one.session_state[nav.PAGES_KEY], two.session_state[nav.PAGES_KEY]
    assert set(mine) == set(nav.PAGES)
    assert all(mine[name] is not theirs[name] for name in nav.PAGES)
