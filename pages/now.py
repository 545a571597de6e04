import streamlit as st
from streamlit_autorefresh import st_autorefresh

from ui import data, nav, widgets
from ui.i18n import _

# For phones in the hall: what is on every stage and what comes next; text only, refreshed every 5 s.
st_autorefresh(interval=5000, key="now-tick")
st.title(_("Now on every stage"))
for line in data.now_on_every_stage():
    with st.container(border=True):
        st.subheader(widgets.text(line["name"]))
        if line["phase"] is None:
            st.caption(_("Nothing scheduled yet."))
            continue
        st.caption(widgets.text(f"{line['event_name']} · {_(line['phase'])}"))
        if line["on_stage"]:
            on = line["on_stage"] + (f" ({line['category']})" if line["category"] else "")
            st.write(_("On stage: {name}").format(name=widgets.text(on)))
        if line["next_up"]:
            at = " " + _("(about {time})").format(time=line["next_at"]) if line["next_at"] else ""
            st.write(_("Next up: {name}").format(name=widgets.text(line["next_up"] + at)))
        st.page_link(
            nav.LEADERBOARD_PAGE,
            label=_("Its live board"),
            query_params={"stage": line["stage"]},
        )
