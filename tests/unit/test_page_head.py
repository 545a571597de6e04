"""ui/page_head.py: Streamlit's page gets preloads of its lazy chunks and the menu's arrows in its head;
nothing else it serves is touched or held back."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ui import assets, page_head

PAGE = (
    '<html><head><script type="module" crossorigin src="./static/js/index.AbCd1234.js"></script>'
    "</head><body>" + "<div id='root'></div>" * 60 + "</body></html>"
)


def _client(gzipped: bool = False) -> TestClient:
    async def page(request):
        return HTMLResponse(PAGE, headers={"ETag": '"file"', "Cache-Control": "no-cache"})

    async def other_html(request):
        return HTMLResponse("<html><head></head><body>a sheet link</body></html>")

    async def stream(request):
        async def events():
            yield b"event: doc\ndata: <html><head></head>\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    middleware = [Middleware(page_head.PageHead)]
    if gzipped:  # Streamlit's own gzip runs inside ours, as st.App orders them
        middleware.append(Middleware(GZipMiddleware, minimum_size=100))
    routes = [Route("/leaderboard", page), Route("/auth/link", other_html), Route("/live/public", stream)]
    return TestClient(Starlette(routes=routes, middleware=middleware))


def test_streamlits_page_gets_the_preloads_and_the_arrows_before_its_head_closes():
    r = _client().get("/leaderboard", headers={"Accept-Encoding": "identity"})
    head = r.text.split("</head>")[0]
    for stem in ("BidiComponent", "Html", "serialization"):
        assert f'<link rel="modulepreload" crossorigin href="./static/js/{stem}.' in head
    assert "stSidebarCollapseButton" in head and "<style>" in head
    assert int(r.headers["content-length"]) == len(r.content)
    assert "etag" not in r.headers  # the file's validator no longer describes this body
    assert r.headers["cache-control"] == "no-cache"


def test_a_gzipped_page_is_rewritten_and_gzipped_again():
    r = _client(gzipped=True).get("/leaderboard", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert "modulepreload" in r.text and r.text.endswith("</html>")


def test_other_html_and_the_streams_pass_untouched():
    client = _client()
    assert "modulepreload" not in client.get("/auth/link").text
    assert client.get("/live/public").text == "event: doc\ndata: <html><head></head>\n\n"


def test_only_chunks_this_streamlit_ships_are_preloaded():
    names = {p.name for p in (assets.source() / "js").glob("*.js")}
    links = page_head.head_snippet().decode().count("modulepreload")
    assert 5 <= links <= len(page_head.LAZY_CHUNKS)
    for line in page_head.head_snippet().decode().splitlines():
        if "modulepreload" in line:
            assert line.split("/static/js/")[1].split('"')[0] in names


def test_the_text_fonts_preload_leaves_the_page_and_nothing_else_does():
    from streamlit import file_util

    page = (Path(file_util.get_static_dir()) / "index.html").read_bytes()
    out = page_head.with_head(page)
    assert b'as="font"' in page and b'as="font"' not in out
    # every script and stylesheet of Streamlit's own head is still there
    for tag in (b'<script type="module"', b'rel="modulepreload"', b'rel="stylesheet"'):
        assert out.count(tag) >= page.count(tag), tag


def test_the_page_says_where_its_server_is_and_its_host_config_as_streamlit_answers_it():
    from streamlit.web.server.starlette.starlette_routes import create_host_config_routes

    served = TestClient(Starlette(routes=create_host_config_routes(None))).get("/_stcore/host-config").json()
    assert page_head.host_config() == served
    assert served["allowedOrigins"]  # Streamlit connects at once only with a non-empty list
    hint = page_head.server_hint()
    assert hint.startswith("window.__streamlit = ") and 'BACKEND_BASE_URL: location.origin + "/"' in hint
    assert "</" not in hint
    head = _client().get("/leaderboard", headers={"Accept-Encoding": "identity"}).text.split("</head>")[0]
    assert "window.__streamlit" in head


def test_the_judge_page_opens_its_stream_and_preloads_its_script_from_its_head_and_no_other_page_does():
    from streamlit import file_util

    page = (Path(file_util.get_static_dir()) / "index.html").read_bytes()
    judge = page_head.with_head(page, path="/judge").decode().split("</head>")[0]
    assert 'earlyStream("/live/judge");' in judge
    for path in ("/", "/leaderboard", "/judge/x", "/admin"):
        assert b"earlyStream(" not in page_head.with_head(page, path=path), path
    r = _client().get("/leaderboard", headers={"Accept-Encoding": "identity"})
    assert "earlyStream(" not in r.text


def test_the_judge_page_preloads_its_served_script_only_when_there_is_one(monkeypatch):
    monkeypatch.setattr(assets, "served", lambda name: "judge.AbCd1234.js")
    needs = page_head.page_needs("/judge").decode()
    assert '<link rel="modulepreload" crossorigin href="./static/stagescore/judge.AbCd1234.js">' in needs
    monkeypatch.setattr(assets, "served", lambda name: None)
    needs = page_head.page_needs("/judge").decode()
    assert "modulepreload" not in needs and 'earlyStream("/live/judge");' in needs
