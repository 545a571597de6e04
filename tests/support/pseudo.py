"""The pseudo-locale `xx`: every message of locales/messages.pot said as ⟦message⟧, built in memory from the
.pot (never committed). A page drawn in it shows at a glance any text that did not come from the catalogue:
whatever is not inside ⟦ ⟧ is user data, a number, or a string nobody marked (tests/app/test_languages.py).
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from ui import i18n

CODE = "xx"
OPEN, CLOSE = "⟦", "⟧"
POT = i18n.LOCALES / "messages.pot"


def catalogue(pot: Path = POT) -> Translations:
    with pot.open("rb") as f:
        catalog = read_po(f, locale="en", domain=i18n.DOMAIN)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(OPEN + form + CLOSE for form in message.id)
        else:
            message.string = OPEN + message.id + CLOSE
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=i18n.DOMAIN)


def install() -> None:
    i18n.register(CODE, catalogue())


def uninstall() -> None:
    i18n.unregister(CODE)
