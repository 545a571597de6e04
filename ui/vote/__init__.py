"""The audience's vote page (/vote): a light page served from the same server, not a Streamlit page
(README, "The audience vote", says why), and its two routes."""
