"""Login links as URLs and QR codes."""

from __future__ import annotations

import segno

from engine.views import qr


def test_a_link_is_the_base_url_and_the_code():
    assert qr.link_url("https://show.example/app/", "abc") == "https://show.example/app/auth/link?code=abc"


def test_the_base_url_comes_from_the_option_then_the_environment(monkeypatch):
    monkeypatch.setenv("STAGESCORE_BASE_URL", "https://env.example/")
    assert qr.base_url("https://given.example/") == "https://given.example"
    assert qr.base_url() == "https://env.example"
    monkeypatch.delenv("STAGESCORE_BASE_URL")
    assert qr.base_url() == qr.DEFAULT_BASE_URL


def test_the_qr_code_is_a_png_and_a_terminal_drawing_of_the_same_url():
    url = qr.link_url("http://localhost:8501", "x" * 43)
    png = qr.png(url)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 200
    drawing = qr.terminal(url)
    assert len(drawing.splitlines()) > 10
    assert segno.make(url, error="m").designator  # the same data fits one symbol
