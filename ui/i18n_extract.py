"""pybabel's extractor for the plain pages' HTML (babel.cfg): a message is marked [[like this]] and
ui/i18n_browser.fill_marks replaces it with its translation, escaped, when a page is built for a language."""

from __future__ import annotations

import re

MARK = re.compile(r"\[\[(.+?)\]\]", re.DOTALL)


def html_marks(fileobj, keywords, comment_tags, options):
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    for m in MARK.finditer(text):
        yield text.count("\n", 0, m.start()) + 1, None, m.group(1), []
