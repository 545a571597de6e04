"""AppTest fixtures: the real app (Home.py and its st.navigation) on fresh DynamoDB Local tables.

Each test gets its own table prefix, a seeded event in the LOBBY (judge1..3@test.local and
admin@test.local, password PASSWORD) and empty Streamlit caches: ui/data.py keeps the Service in
st.cache_resource, and that Service reads STAGESCORE_TABLE_PREFIX once, when it is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from engine.domain.model import Session, Settings
from engine.service.core import Service
from engine.timer.runner import Engine
from tests.app.helpers import HOME, TIMEOUT, clear_caches
from tests.support.events import seed_event
from tests.support.lease import LeaseHolder


@pytest.fixture(autouse=True)
def patient_database(monkeypatch) -> None:
    """Longer DynamoDB timeouts than a server's (1 s connect, 2 s read): on a loaded CI machine a slow
    DynamoDB Local answer must not turn into the outage banner here. Outages are tests/faults' job.
    Autouse, so it is set before `store` and the app's Service read the environment."""
    monkeypatch.setenv("STAGESCORE_DB_CONNECT_TIMEOUT", "5")
    monkeypatch.setenv("STAGESCORE_DB_READ_TIMEOUT", "10")


@pytest.fixture
def svc(store, table_prefix, monkeypatch) -> Iterator[Service]:
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
def engine(store) -> Iterator[Engine]:
    """The real engine (timer, lease and presence threads) on this test's tables."""
    e = Engine(store)
    e.start()
    yield e
    e.stop()


@pytest.fixture
def engine_lease(store) -> Iterator[LeaseHolder]:
    """The lease held as a running engine holds it (the desk's engine banner stays away); a test about a
    missing engine calls `stop()`. Not the engine itself: its timer would move the pages' events on."""
    holder = LeaseHolder(store).start()
    yield holder
    holder.stop()


@pytest.fixture
def app(monkeypatch, engine_lease) -> Callable[..., AppTest]:
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
