"""Streamlit's own files (its JS and CSS bundles under /static/), compressed once and served as files.

st.App serves them uncompressed on purpose (Streamlit compresses per request or not at all): a judge's
first load was 2.8 MB. Here they are compressed once, brotli and gzip side by side, into a folder of our
own beside the originals, and ServeStatic (a maintained static file server) answers /static/ from it:
the encoding the browser accepts, `Vary: Accept-Encoding`, and immutable caching, since every name under
/static/ carries a content hash. Nothing is compressed per request, and nothing else is touched: the
page's HTML, the websocket and the /live/ streams pass through as before.

`python -m ui.assets` builds the folder at install (brotli's best quality; `make venv` does it); a
server that finds none builds one at start with a faster quality, or serves the files uncompressed and
says so if it cannot write there.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import streamlit
from streamlit import file_util

ROOT = Path(__file__).resolve().parent.parent
COMPRESSIBLE = (".js", ".css", ".svg", ".json", ".txt", ".html", ".map", ".ttf")
INSTALL_QUALITY = 11  # brotli's best for the files a page loads, once at install
START_QUALITY = 5  # a server that finds no folder: about a second, within a few % of the best gzip
# Vite's content hash: "index.DormvYxC.js", "SourceSansVF-Upright.ttf.BsWL4Kly.woff2".
RECIPE = 3  # what build() does to the files; a change here builds a new folder
HASHED = re.compile(r"\.[A-Za-z0-9_-]{8}\.[a-z0-9]+$")
log = logging.getLogger("stagescore.web")


def source() -> Path:
    """Streamlit's hashed files: what its frontend asks for under /static/."""
    return Path(file_util.get_static_dir()) / "static"


def folder(env: dict[str, str] | os._Environ = os.environ) -> Path:
    """Where this Streamlit version's compressed files live; a new version gets a new folder."""
    base = Path(env.get("STAGESCORE_ASSET_DIR") or ROOT / ".assets")
    return base / f"streamlit-{streamlit.__version__}-{RECIPE}"


def served(name: str) -> str | None:
    """The script of our component `name` as the compressed folder serves it (its file name), or None
    if there is no folder to serve it from (the component then carries its script itself)."""
    from ui import components

    file = components.served_file(name)[0]
    return file if (folder() / "static" / components.SERVED_DIR / file).is_file() else None


def write_served(static: Path, quality: int) -> None:
    """Our components' served scripts (ui/components, SERVED) that `static` lacks, each with its .br and
    .gz: at build, and at every start into a folder built before (a script's new version has a new name,
    beside the old one). Each file is written under a temporary name and renamed, so a server starting
    beside this one, or nginx, never reads half of one; the script itself last, as served() looks for it."""
    import brotli

    from ui import components

    (static / components.SERVED_DIR).mkdir(parents=True, exist_ok=True)
    for name in components.SERVED:
        file, text = components.served_file(name)
        dst = static / components.SERVED_DIR / file
        if dst.is_file():
            continue
        for suffix, data in (
            (".br", brotli.compress(text, quality=quality)),
            (".gz", gzip.compress(text, compresslevel=9, mtime=0)),
            ("", text),
        ):
            tmp = dst.with_name(f".{dst.name}{suffix}.{os.getpid()}")
            tmp.write_bytes(data)
            tmp.chmod(0o644)
            tmp.replace(f"{dst}{suffix}")


# Streamlit's bundle asks for its icon font as it starts (document.fonts.load of "Material Symbols
# Rounded", whose text is a space), 375 KB compressed whether a page shows an icon or not: over a third
# of a phone's first load. Its @font-face given a unicode-range without the space, the font comes only
# when an icon is drawn (icon names are ligatures of letters, digits and "_"; or private-use codes).
ICON_FACE = re.compile(rb"(@font-face\{font-family:\s*\"?Material Symbols Rounded\"?;)")
ICON_RANGE = b"unicode-range:U+30-39,U+41-5A,U+5F,U+61-7A,U+E000-F8FF;"


def icon_font_on_demand(data: bytes) -> bytes:
    return ICON_FACE.sub(lambda m: m.group(1) + ICON_RANGE, data, count=1)


def _compress_one(job: tuple[str, str, int, tuple[bytes, bytes] | None]) -> int:
    """Link (or copy) one file into the new folder and, if it shrinks, write its .br and .gz beside it.
    A stylesheet gets the icon font on demand and `face`'s replacement (ui/text_font.py), if any."""
    import brotli

    src, dst, quality, face = job
    data = Path(src).read_bytes() if src.endswith(COMPRESSIBLE) else b""
    changed = icon_font_on_demand(data) if src.endswith(".css") else data
    if face is not None:
        changed = changed.replace(face[0], face[1], 1)
    if changed != data:
        Path(dst).write_bytes(changed)  # a file of its own: a link would change Streamlit's copy too
        data = changed
    else:
        try:
            os.link(src, dst)
        except OSError:  # another filesystem, or links not allowed
            shutil.copy2(src, dst)
    if not src.endswith(COMPRESSIBLE):
        return 0
    if len(data) > 1_000_000:  # the chunks of charts no page of ours loads: 9 is 10x faster, 3 % larger
        quality = min(quality, 9)
    written = 0
    for suffix, packed in (
        (".br", brotli.compress(data, quality=quality)),
        (".gz", gzip.compress(data, compresslevel=9, mtime=0)),
    ):
        if len(packed) < 0.95 * len(data):  # ServeStatic serves whichever variants exist
            Path(dst + suffix).write_bytes(packed)
            written += 1
    return written


def _with_text_font(job, src: Path, static: Path):
    """A stylesheet's job with the split of the text font's face (the Latin subset written now)."""
    if not job[0].endswith(".css"):
        return job
    from ui import text_font

    face = text_font.split_face(Path(job[0]).read_bytes(), src / "media", static / "media")
    return (*job[:3], face)


def build(target: Path, quality: int = INSTALL_QUALITY, workers: int | None = None) -> Path:
    """Fill `target` from Streamlit's files. Built under a temporary name and renamed into place, so two
    servers starting at once never see half a folder: the second one's work is thrown away."""
    src = source()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        jobs = []
        for path in sorted(src.rglob("*")):
            dst = tmp / "static" / path.relative_to(src)
            if path.is_dir():
                dst.mkdir(parents=True, exist_ok=True)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                jobs.append((str(path), str(dst), quality, None))
        jobs = [_with_text_font(job, src, tmp / "static") for job in jobs]
        write_served(tmp / "static", quality)
        if workers == 1:
            for job in jobs:
                _compress_one(job)
        else:
            with ProcessPoolExecutor(workers) as pool:
                list(pool.map(_compress_one, jobs, chunksize=8))
        tmp.chmod(0o755)
        try:
            tmp.rename(target)
        except OSError:
            if not target.is_dir():
                raise
            shutil.rmtree(tmp)  # another process finished first: keep its folder
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _point_current_at(target)
    return target


def _point_current_at(target: Path) -> None:
    """`.assets/current`: the folder nginx serves /static/ from (deploy/nginx/stagescore.conf), whatever
    the Streamlit version; replaced in one rename."""
    link = target.parent / "current"
    tmp = target.parent / f".current.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target.name)
    tmp.replace(link)


def ensure() -> Path | None:
    """The compressed folder for this server, built now (fast quality) if the install did not; None,
    with a warning, if it cannot be built (a read-only install): the files are then served as before."""
    target = folder()
    if target.is_dir():
        try:
            write_served(target / "static", START_QUALITY)
        except OSError as e:  # the components then carry their scripts themselves (served() says None)
            log.warning("our components' scripts are not served as files: %s (run `python -m ui.assets`)", e)
        return target
    try:
        build(target, START_QUALITY, workers=1)  # one core: the server's neighbours are starting too
    except OSError as e:
        log.warning("Streamlit's files are served uncompressed: %s (run `python -m ui.assets`)", e)
        return None
    log.info("compressed Streamlit's files at start into %s (`python -m ui.assets`: at install)", target)
    return target


def _immutable(path: str, url: str) -> bool:
    return bool(HASHED.search(url))


class CompressedStatic:
    """ASGI middleware: /static/ from the compressed folder (ServeStatic), everything else to the app.

    ServeStatic is set up at the first request that finds the folder built (the server may answer its
    health check while the lifespan's ensure() is still compressing), when the server's options (its base
    path) are final; a path it does not hold goes on to Streamlit's own handler."""

    def __init__(self, app) -> None:
        self.app = app
        self._serve = None

    def _setup(self) -> None:
        from servestatic import ServeStaticASGI
        from streamlit import config

        target = folder()
        if not target.is_dir():
            return
        base = (config.get_option("server.baseUrlPath") or "").strip("/")
        self._serve = ServeStaticASGI(
            self.app,
            root=target / "static",
            prefix=f"/{base}/static/" if base else "/static/",
            max_age=None,  # a name without a hash gets no cache header (there is none today)
            immutable_file_test=_immutable,
            allow_all_origins=False,  # same-origin pages, as Streamlit's own handler
        )

    async def __call__(self, scope, receive, send) -> None:
        if self._serve is None:
            self._setup()  # a stat call per request until the folder exists
        if self._serve is not None and scope["type"] == "http":
            await self._serve(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def main(argv: list[str]) -> int:
    """`python -m ui.assets [--force]`: build the folder at install."""
    target = folder()
    if target.is_dir() and "--force" not in argv:
        write_served(target / "static", INSTALL_QUALITY)
        print(f"{target} is there already (--force builds it again); our components' scripts written")
        return 0
    if target.is_dir():
        shutil.rmtree(target)
    build(target)
    files = list(target.rglob("*"))
    packed = sum(1 for f in files if f.suffix in (".br", ".gz"))
    print(f"{target}: {packed} compressed variants of {len(files) - packed} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
