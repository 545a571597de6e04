"""The crowd's board: /leaderboard as a phone opens it, one plain page beside the app (no Streamlit
session) drawing the live board from its stream. May import ui.i18n, ui.components' files, engine.domain."""
