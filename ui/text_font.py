"""Streamlit's text font, its upright face (Source Sans, 170 KB: a quarter of a phone's first load), in two
files of our compressed copy (ui/assets.py): the Latin letters, digits and punctuation every page of ours
draws (about 50 KB), and the whole font for the rest of its letters (Latin Extended, Greek, Cyrillic,
Vietnamese), which the browser asks for only when a page shows one of them (CSS `unicode-range`).

Every character is still drawn from the same font (the subset keeps its variation axes and layout
features); what changes is which file brings it. Over a venue link the 120 KB saved are bandwidth the
page's websocket and its first script run no longer share with the font.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

# Google Fonts' "latin" subset: Basic Latin, Latin-1, the letters French needs beyond it (œ, Œ),
# typographic punctuation and the euro sign.
LATIN = (
    "U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,"
    "U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD"
)
# Streamlit's face in its CSS (index.*.css), minified as it ships.
UPRIGHT = re.compile(
    rb"@font-face\{font-family:Source Sans;font-weight:100 900;font-style:normal;"
    rb'src:url\(\.\./media/(SourceSansVF-Upright\.ttf\.[A-Za-z0-9_-]{8}\.woff2)\)format\("woff2"\)\}'
)


def codepoints(spec: str) -> set[int]:
    out: set[int] = set()
    for part in spec.split(","):
        lo, _, hi = part.removeprefix("U+").partition("-")
        out.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    return out


def unicode_range(points: set[int]) -> str:
    """`points` as a CSS unicode-range: U+41-5A,U+E9,..."""
    runs: list[list[int]] = []
    for cp in sorted(points):
        if runs and cp == runs[-1][1] + 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return ",".join(f"U+{lo:X}" if lo == hi else f"U+{lo:X}-{hi:X}" for lo, hi in runs)


def latin_subset(font: bytes) -> bytes:
    """The font's Latin characters, as WOFF2: axes, kerning and other layout features kept."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints(LATIN))
    face = TTFont(io.BytesIO(font), recalcTimestamp=False)  # the same bytes, the same name, every build
    subsetter.subset(face)
    out = io.BytesIO()
    face.save(out)
    return out.getvalue()


def split_face(css: bytes, media: Path, into: Path) -> tuple[bytes, bytes] | None:
    """(Streamlit's @font-face, the two that replace it) for `css`, whose fonts are in `media`; the Latin
    file is written into `into` under a name with its own content hash. None if the CSS has no such face
    (another Streamlit): it is then left as it is."""
    from fontTools.ttLib import TTFont

    found = UPRIGHT.search(css)
    if found is None or not (media / found.group(1).decode()).is_file():
        return None
    name = found.group(1).decode()
    font = (media / name).read_bytes()
    latin = latin_subset(font)
    digest = base64.urlsafe_b64encode(hashlib.sha256(latin).digest()).decode()[:8]
    small = f"SourceSansVF-Upright-latin.{digest}.woff2"
    (into / small).write_bytes(latin)
    rest = set(TTFont(io.BytesIO(font)).getBestCmap()) - codepoints(LATIN)
    head = b"@font-face{font-family:Source Sans;font-weight:100 900;font-style:normal;"
    faces = (
        head + f'src:url(../media/{name})format("woff2");unicode-range:{unicode_range(rest)}}}'.encode()
        + head + f'src:url(../media/{small})format("woff2");unicode-range:{LATIN}}}'.encode()
    )  # fmt: skip
    return found.group(0), faces
