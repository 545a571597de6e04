"""AppTest fixtures: the real app (Home.py and its st.navigation) on fresh DynamoDB Local tables.

Each test gets its own table prefix, a seeded event in the LOBBY (judge1..3@test.local and
admin@test.local, password PASSWORD) and empty Streamlit caches: ui/data.py keeps the Service in
st.cache_resource, and that Service reads STAGESCORE_TABLE_PREFIX once, when it is built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from engine.model import Settings
from engine.runner import Engine
from engine.service import Service, Session
from tests.app.helpers import HOME, TIMEOUT, clear_caches
from tests.integration.conftest import seed_event, store  # noqa: F401  (store is a fixture)
from ui import board


@pytest.fixture(autouse=True)
def patient_database(monkeypatch) -> None:
    """Longer DynamoDB timeouts than a server's (1 s connect, 2 s read): on a loaded CI machine a slow
    DynamoDB Local answer must not turn into the outage banner here. Outages are tests/faults' job.
    Autouse, so it is set before `store` and the app's Service read the environment."""
    monkeypatch.setenv("STAGESCORE_DB_CONNECT_TIMEOUT", "5")
    monkeypatch.setenv("STAGESCORE_DB_READ_TIMEOUT", "10")


@pytest.fixture
def svc(store, table_prefix, monkeypatch) -> Iterator[Service]:  # noqa: F811
    """A Service on the wall clock (the app's clock), on this test's tables; caches empty around the test."""
    monkeypatch.setenv("STAGESCORE_TABLE_PREFIX", table_prefix)
    clear_caches()
    yield Service(store)
    clear_caches()


@pytest.fixture
def tokens(svc) -> dict[str, str]:
    """The seeded event, in the LOBBY, with windows long enough that nothing moves by itself."""
    return seed_event(svc, settings=Settings(perform_seconds=60, score_seconds=60))


@pytest.fixture
def engine(store) -> Iterator[Engine]:  # noqa: F811
    """The real engine (timer, lease and presence threads) on this test's tables."""
    e = Engine(store)
    e.start()
    yield e
    e.stop()


@pytest.fixture
def board_dir(monkeypatch, tmp_path) -> Iterator[Path]:
    """Where the live board's JSON is published during this test; the publisher is stopped after it.

    ui/board.py starts, once per server process, a thread that writes the board to
    static/<prefix>board.json forever. Each test empties the caches, so each would start one more
    thread, writing into the repository and polling its old tables until the session ends. Here
    the thread writes into tmp_path and runs the real loop, ended once the test is over by an
    exception from its service that the loop does not catch (it catches Exception, to keep going).
    """

    class Stopped(BaseException):
        pass

    stop = threading.Event()
    threads: list[threading.Thread] = []
    real = board._publish_forever

    class Stoppable:
        def __init__(self, svc: Service):
            self._svc = svc

        def snapshot(self, *args, **kwargs):
            if stop.is_set():
                raise Stopped
            return self._svc.snapshot(*args, **kwargs)

    def publish(svc: Service, path: Path) -> None:
        threads.append(threading.current_thread())
        try:
            real(Stoppable(svc), path)
        except Stopped:
            pass

    directory = tmp_path / "static"
    monkeypatch.setattr(board, "STATIC_DIR", directory)
    monkeypatch.setattr(board, "_publish_forever", publish)
    yield directory
    stop.set()
    for t in threads:
        t.join(timeout=5)
    assert not [t for t in threads if t.is_alive()], "the board publisher did not stop"


@pytest.fixture
def app(monkeypatch, board_dir) -> Callable[..., AppTest]:
    """A factory: AppTest of Home.py, already run once, optionally logged in with the session shortcut.

    AppTest forgets before every run that the app uses st.navigation and, seeing a pages/ folder,
    runs a switched-to page file on its own (Streamlit's old pages-folder mode), without Home.py:
    no menu, no routing. A server process forgets nothing: its first run turns that mode off for
    good. So turn it off after AppTest's reset, as a running server has it.

    Also unlike a browser, AppTest requests the page last given to switch_page on every later run,
    even after the app itself switched elsewhere: tests say where the user now is with switch_page.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)

    def make(session: Session | None = None) -> AppTest:
        at = AppTest.from_file(HOME, default_timeout=TIMEOUT)
        if session is not None:
            at.session_state["session"] = session
        return at.run()

    return make
