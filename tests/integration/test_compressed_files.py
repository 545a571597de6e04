"""What a phone downloads from a real web server (st.App under uvicorn, ui/assets.py): Streamlit's files
come compressed, as the browser accepts, and cacheable for good; the /live/ streams are never compressed
(a compressor holds bytes back until it has enough to pack)."""

from __future__ import annotations

import gzip
import http.client
import re
from collections.abc import Iterator

import brotli
import pytest

from tests.support import live, nginx, processes
from tests.support.processes import ROOT
from tests.support.stack import Stack, fresh_prefix
from tests.support.waiting import wait_for
from ui import assets


@pytest.fixture(scope="module")
def web(dynamodb_endpoint) -> Iterator[Stack]:
    with Stack(fresh_prefix("cf"), ROOT / "test-artifacts" / "logs") as stack:
        stack.store().create_tables()
        stack.cli("demo", "--password", "compressed-files-1")
        stack.start_web()
        yield stack


def _get(stack: Stack, path: str, encodings: str | None) -> http.client.HTTPResponse:
    port = stack.port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", path, headers={"Accept-Encoding": encodings} if encodings else {})
    return conn.getresponse()


# The room's screen: the board as a Streamlit page (a phone's board is a plain page: the tests at the end).
KIOSK = "/leaderboard?kiosk=1"


def _main_bundle(stack: Stack) -> str:
    page = _get(stack, KIOSK, None).read().decode()
    return re.search(r'src="\./(static/js/index\.[A-Za-z0-9_-]+\.js)"', page).group(1)


def test_the_main_bundle_comes_in_brotli_gzip_or_plain_as_accepted(web):
    path = "/" + _main_bundle(web)
    plain = (assets.source() / path.removeprefix("/static/")).read_bytes()
    for accepted, encoding, unpack in (
        ("br, gzip, deflate", "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
        (None, None, lambda body: body),
    ):
        resp = _get(web, path, accepted)
        body = resp.read()
        assert resp.status == 200
        assert resp.getheader("Content-Encoding") == encoding, accepted
        assert unpack(body) == plain
        if encoding:
            assert len(body) < len(plain) / 2, f"{encoding}: {len(body)} of {len(plain)} bytes"
        assert "Accept-Encoding" in (resp.getheader("Vary") or "")
        cache = resp.getheader("Cache-Control") or ""
        assert "immutable" in cache and "public" in cache, cache
        assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
        assert "javascript" in resp.getheader("Content-Type")


def test_every_file_the_page_preloads_comes_compressed(web):
    page = _get(web, KIOSK, None).read().decode()
    files = re.findall(r'(?:href|src)="\./(static/[^"]+\.(?:js|css))"', page)
    assert len(files) > 10
    for f in files:
        resp = _get(web, "/" + f, "br, gzip")
        resp.read()
        size = (assets.source() / f.removeprefix("static/")).stat().st_size
        packed = (assets.folder() / f).with_name((assets.folder() / f).name + ".br").exists()
        assert packed or size < 1000, f  # only a few hundred bytes may not shrink by enough to bother
        expected = "br" if packed else None
        assert (resp.status, resp.getheader("Content-Encoding")) == (200, expected), (f, size)


def test_the_page_itself_is_never_cached_for_good(web):
    """The HTML names the hashed files of this Streamlit version: it must be asked for again."""
    for path in (KIOSK, "/leaderboard", "/leaderboard?stage=main"):
        resp = _get(web, path, "br, gzip")
        resp.read()
        assert resp.status == 200, path
        assert "immutable" not in (resp.getheader("Cache-Control") or ""), path


def test_a_missing_file_or_a_path_outside_the_folder_gets_no_file_of_ours(web):
    """Streamlit answers an unknown path with its page (no-cache), never a file cached for good; a path
    climbing out of the folder reaches no file beside it."""
    for path in (
        "/static/js/nothing.ABCDEFGH.js",
        "/static/../index.html",
        "/static/%2e%2e/%2e%2e/ui/assets.py",
    ):
        resp = _get(web, path, "br, gzip")
        body = resp.read()
        assert resp.status in (200, 400, 404), (path, resp.status)
        assert "immutable" not in (resp.getheader("Cache-Control") or ""), path
        assert resp.getheader("Content-Encoding") is None and b"CompressedStatic" not in body, path


def test_the_public_stream_is_not_compressed_and_arrives_at_once(web):
    resp = _get(web, "/live/public", "br, gzip, deflate")
    try:
        assert resp.status == 200
        assert resp.getheader("Content-Encoding") is None
        assert resp.getheader("Content-Type", "").startswith("text/event-stream")
        assert "no-transform" in resp.getheader("Cache-Control", "")
        # The first document is pushed at once: a compressor would sit on it.
        resp.fp.raw._sock.settimeout(10)
        first = resp.readline()
        assert first.startswith((b"event:", b"data:", b":", b"retry:")), first[:80]
    finally:
        resp.close()


def test_the_shipped_nginx_site_serves_them_precompressed_from_disk(web, tmp_path):
    if problem := nginx.missing():
        pytest.fail(problem, pytrace=False)
    upstream = web.url.removeprefix("http://")
    proc, front = nginx.serve([upstream], tmp_path / "nginx", web.env)
    try:
        path = "/" + _main_bundle(web)
        plain = (assets.source() / path.removeprefix("/static/")).read_bytes()
        wait_for(lambda: _nginx_answers(front), 20, "nginx to answer", 0.2)
        conn = live.connection(front, timeout=20)
        for accepted, encoding, unpack in (
            ("br, gzip", "br", brotli.decompress),
            ("gzip", "gzip", gzip.decompress),
        ):
            conn.request("GET", path, headers={"Accept-Encoding": accepted})
            resp = conn.getresponse()
            body = resp.read()
            assert (resp.status, resp.getheader("Content-Encoding")) == (200, encoding)
            assert unpack(body) == plain
            assert "immutable" in resp.getheader("Cache-Control") and "Accept-Encoding" in resp.getheader(
                "Vary"
            )
            # From disk: nginx's ETag ends in the size of the file it sent (the .br or .gz); a web server's
            # (ServeStatic's) in the size of the uncompressed original.
            assert resp.getheader("ETag").endswith(f'-{len(body):x}"'), resp.getheader("ETag")
    finally:
        processes.kill(proc)


def _nginx_answers(front: str) -> bool:
    conn = live.connection(front, timeout=5)
    try:
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        resp.read()
        return resp.status in (200, 503)
    finally:
        conn.close()


def test_a_phones_board_is_one_small_page_compressed_once_as_accepted(web):
    """GET /leaderboard (the QR code's address) without ?kiosk=1 is the crowd's plain page: one request,
    its style and script inline, the same bytes whichever encoding is asked for."""
    plain = _get(web, "/leaderboard", None).read()
    assert b"<html" in plain and b"liveBoard(" in plain and b"/_stcore/" not in plain
    assert b"static/js/" not in plain  # none of Streamlit's files
    for accepted, encoding, unpack in (
        ("br, gzip, deflate", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
    ):
        resp = _get(web, "/leaderboard?stage=main", accepted)
        body = resp.read()
        assert (resp.status, resp.getheader("Content-Encoding")) == (200, encoding), accepted
        assert unpack(body) == plain
        assert len(body) < 16_000, f"{encoding}: {len(body)} bytes"
        assert "Accept-Encoding" in resp.getheader("Vary")
        assert "no-cache" in resp.getheader("Cache-Control")
        assert "default-src 'none'" in resp.getheader("Content-Security-Policy")


def test_the_rooms_screen_is_still_the_apps_page(web):
    page = _get(web, KIOSK, None).read()
    assert b"liveBoard(" not in page and re.search(rb'src="\./static/js/index\.', page)
