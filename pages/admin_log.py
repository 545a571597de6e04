import json
import time

import pandas as pd
import streamlit as st

from engine.domain.model import Role
from engine.views import exports, workbook
from ui import apikeys, data, nav, results, widgets
from ui.auth import require
from ui.i18n import _, ngettext

session = require(Role.ADMIN, nav.LOG_PAGE)
svc = data.on_stage()
st.title(_("Log & exports"))

events = data.events()
current = data.snapshot()
ids = [e["event_id"] for e in reversed(events)]
labels = {e["event_id"]: f"{e['name']} · {e['event_id']}" for e in events}
if not ids:
    st.info(_("No events yet."))
    st.stop()
chosen = st.selectbox(
    _("Event"),
    ids,
    format_func=lambda i: labels.get(i, i) + (_(" (current)") if current and i == current.event_id else ""),
)
snap = svc.snapshot(chosen)
audience = svc.votes.audience(chosen)  # the admin's downloads hold the audience's results, revealed or not

st.subheader(_("Downloads"))
c1, c2, c3, c4 = st.columns(4)
c1.download_button(
    _("Results (CSV)"), exports.export(snap, "csv", "results", audience), f"{chosen}-results.csv", "text/csv"
)
c2.download_button(
    _("Scores (CSV)"), exports.export(snap, "csv", "scores"), f"{chosen}-scores.csv", "text/csv"
)
everything = exports.export(snap, "json", audience=audience)
c3.download_button(_("Everything (JSON)"), everything, f"{chosen}.json", "application/json")
c4.download_button(
    _("Results (Excel)"), workbook.to_xlsx(snap, audience), workbook.file_name(snap), workbook.MIME
)
results.downloads(snap, svc.results.release(chosen), audience)
apikeys.section(session)

st.subheader(_("Event log"))
problems = svc.log.verify(chosen)
if problems:
    st.error(
        ngettext(
            "The log fails its integrity check: {n} problem.",
            "The log fails its integrity check: {n} problems.",
            len(problems),
        ).format(n=len(problems))
    )
    for p in problems:
        st.write(widgets.text(p))
else:
    st.success(_("The log's hash chains are intact."))


@data.live(2)
def feed() -> None:
    entries = svc.log.recent(chosen, limit=200)
    rows = [
        {
            _("Time"): time.strftime("%H:%M:%S", time.localtime(e.ts)) + f".{int(e.ts % 1 * 1000):03d}",
            _("Actor"): e.actor,
            _("What"): e.kind,
            _("Details"): json.dumps(e.payload(), ensure_ascii=False)[:200],
        }
        for e in entries
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


feed()
