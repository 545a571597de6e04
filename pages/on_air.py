import streamlit as st

from engine.domain.model import Role
from ui import nav, on_air, stages
from ui.auth import require
from ui.i18n import _
from ui.logins_admin import app_url

session = require((Role.STREAMING, Role.ADMIN), nav.ON_AIR_PAGE)
st.title(_("On air"))
stages.picker()
st.caption(_("What the live stream's overlays and the room's projector show; nothing here changes a score."))
on_air.switches(session)
on_air.addresses(app_url())
