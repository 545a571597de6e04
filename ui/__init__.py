"""Streamlit-only helpers for the pages: auth gate, cached reads, widgets, charts, browser components,
and the web server (ui/server.py: st.App with our routes and lifespan)."""
