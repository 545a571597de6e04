"""ui/assets.py: Streamlit's files compressed once into a folder of our own, and served from it."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import brotli
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ui import assets

BUNDLE = "js/app.AbCd1234.js"
SOURCE = {BUNDLE: b"export const x = 1;\n" * 500, "media/font.Zz9_-xy0.woff2": b"\x00\x01" * 50}


@pytest.fixture
def streamlit_files(tmp_path, monkeypatch) -> Path:
    src = tmp_path / "streamlit-static"
    for name, data in SOURCE.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(data)
    monkeypatch.setattr(assets, "source", lambda: src)
    monkeypatch.setenv("STAGESCORE_ASSET_DIR", str(tmp_path / "assets"))
    return src


def test_build_writes_brotli_and_gzip_beside_each_compressible_file(streamlit_files):
    target = assets.build(assets.folder(), quality=5, workers=1) / "static"
    assert brotli.decompress((target / f"{BUNDLE}.br").read_bytes()) == SOURCE[BUNDLE]
    assert gzip.decompress((target / f"{BUNDLE}.gz").read_bytes()) == SOURCE[BUNDLE]
    assert (target / BUNDLE).read_bytes() == SOURCE[BUNDLE]
    font = target / "media/font.Zz9_-xy0.woff2"
    assert font.read_bytes() == SOURCE["media/font.Zz9_-xy0.woff2"]
    assert not Path(f"{font}.br").exists()  # a font is compressed already
    # no temporary folder left; `current` points at this version's (nginx serves /static/ from it)
    assert sorted(p.name for p in target.parent.parent.iterdir()) == ["current", target.parent.name]
    assert (target.parent.parent / "current").resolve() == target.parent.resolve()


def test_a_second_build_racing_the_first_keeps_the_first_folder(streamlit_files):
    target = assets.build(assets.folder(), quality=5, workers=1)
    marker = target / "kept"
    marker.write_text("first")
    assert assets.build(target, quality=5, workers=1) == target
    assert marker.read_text() == "first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["current", target.name]


def _app() -> TestClient:
    async def page(request):
        return PlainTextResponse("from the app")

    app = Starlette(routes=[Route("/{path:path}", page)])
    return TestClient(assets.CompressedStatic(app))


def test_static_comes_from_the_folder_as_accepted_and_cached_for_good(streamlit_files):
    assert assets.ensure() is not None
    client = _app()
    r = client.get(f"/static/{BUNDLE}", headers={"Accept-Encoding": "br, gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "br"
    assert r.content == SOURCE[BUNDLE]  # the client decodes brotli
    assert "immutable" in r.headers["cache-control"] and "Accept-Encoding" in r.headers["vary"]
    r = client.get(f"/static/{BUNDLE}", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    r = client.get(f"/static/{BUNDLE}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers and r.content == SOURCE[BUNDLE]


def test_everything_else_goes_to_the_app(streamlit_files):
    assets.ensure()
    client = _app()
    for path in ("/leaderboard", "/live/public", "/static/js/missing.AbCd1234.js", "/static/../x"):
        r = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert r.text == "from the app", path


def test_without_the_folder_the_files_pass_through_until_it_is_built(streamlit_files):
    client = _app()
    assert client.get(f"/static/{BUNDLE}").text == "from the app"
    assets.ensure()
    r = client.get(f"/static/{BUNDLE}", headers={"Accept-Encoding": "br"})
    assert r.headers["content-encoding"] == "br"


def test_a_read_only_install_serves_uncompressed_and_says_so(streamlit_files, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(assets, "build", refuse)
    assert assets.ensure() is None
    assert "uncompressed" in caplog.text


ICON_CSS = (
    b"a{color:red}@font-face{font-family:Material Symbols Rounded;font-style:normal;font-weight:400;"
    b'font-display:block;src:url(../media/MaterialSymbols-Rounded.nEdyypZU.woff2)format("woff2")}'
)


def test_the_icon_font_is_asked_for_only_when_an_icon_is_drawn(streamlit_files):
    """Its face no longer covers the space that Streamlit's start-up font load asks for; it still covers
    the letters, digits and "_" of icon names (ligatures) and the private-use codes."""
    (streamlit_files / "css").mkdir()
    (streamlit_files / "css" / "index.Zz9_-xy0.css").write_bytes(ICON_CSS * 20)
    target = assets.build(assets.folder(), quality=5, workers=1) / "static"
    css = (target / "css" / "index.Zz9_-xy0.css").read_bytes()
    assert css.count(b"unicode-range:U+30-39,U+41-5A,U+5F,U+61-7A,U+E000-F8FF;") == 1
    assert b"U+20" not in css
    assert brotli.decompress((target / "css" / "index.Zz9_-xy0.css.br").read_bytes()) == css
    assert (streamlit_files / "css" / "index.Zz9_-xy0.css").read_bytes() == ICON_CSS * 20  # Streamlit's own


def test_the_real_stylesheet_still_has_the_icon_face_the_patch_expects():
    """If an upgrade renames it, the patch would silently do nothing: say so here instead."""
    sheets = [p.read_bytes() for p in (assets.source() / "css").glob("*.css")]
    assert any(assets.ICON_FACE.search(css) for css in sheets)


def test_the_text_fonts_upright_face_comes_in_two_files_the_latin_one_small():
    """Streamlit's real CSS and font: the Latin file holds what our pages draw, the whole font the rest."""
    from fontTools.ttLib import TTFont

    from ui import text_font

    src = assets.source()
    css = next((src / "css").glob("index.*.css")).read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        old, new = text_font.split_face(css, src / "media", Path(tmp))
        (small,) = Path(tmp).glob("SourceSansVF-Upright-latin.*.woff2")
        assert assets.HASHED.search(small.name)  # cached for good, like Streamlit's own names
        whole = next((src / "media").glob("SourceSansVF-Upright.ttf.*.woff2"))
        assert small.stat().st_size < whole.stat().st_size / 2
        latin = set(TTFont(small).getBestCmap())
        assert {ord(c) for c in "Aa0 éèçñüßœ€–’«»"} <= latin
        assert "fvar" in TTFont(small)  # still the variable font: every weight from one file
    assert old in css and new.count(b"@font-face") == 2 and new.count(b"unicode-range") == 2
    assert text_font.codepoints("U+41-43,U+E9") == {0x41, 0x42, 0x43, 0xE9}
    assert text_font.unicode_range({0x41, 0x42, 0x43, 0xE9}) == "U+41-43,U+E9"


def test_our_components_scripts_are_served_as_hashed_files_added_to_a_folder_built_before(streamlit_files):
    from ui import components

    assert assets.served("judge") is None  # no folder yet: the component carries its script itself
    target = assets.build(assets.folder(), quality=5, workers=1) / "static"
    file, text = components.served_file("judge")
    assert text == components.asset(*components.SERVED["judge"]).encode()
    served = target / components.SERVED_DIR / file
    assert served.read_bytes() == text and assets.HASHED.search(file)
    assert brotli.decompress(Path(f"{served}.br").read_bytes()) == text
    assert assets.served("judge") == file
    # A folder built before this script existed (an older version of it) gets it at the server's start.
    for f in (target / components.SERVED_DIR).iterdir():
        f.unlink()
    assert assets.served("judge") is None
    assert assets.ensure() is not None and assets.served("judge") == file
    r = _app().get(f"/static/{components.SERVED_DIR}/{file}", headers={"Accept-Encoding": "br"})
    assert r.headers["content-encoding"] == "br" and "immutable" in r.headers["cache-control"]
    assert r.content == text
    loader = components.loader("judge")
    assert f"new URL('/static/{components.SERVED_DIR}/{file}', window.location.href)" in loader
    assert "export default async function (component)" in loader
