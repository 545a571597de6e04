"""Simulated users at protocol level: judges scoring through the Service (judges.py), viewers speaking
Streamlit's websocket protocol and polling the board JSON (viewers.py)."""
