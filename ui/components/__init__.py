"""Browser components (st.components.v2): each is a few small JS/CSS files beside its Python wrapper.

The JS files of one component are joined into one module: the shared helpers first (plain functions),
the component's `export default function` last. Text reaches the page through textContent only.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def asset(*names: str) -> str:
    """The files' text, joined in the order given."""
    return "\n".join((HERE / name).read_text(encoding="utf-8") for name in names)


def app_path(path: str) -> str:
    """`path` under the app's base path, as the browser asks for it: "/live/judge", "/base/live/judge"."""
    from ui.cookies import base_path

    return base_path().rstrip("/") + "/" + path.lstrip("/")
