"""The use cases (every write checks session and role) and the live feed's reads, over one Store.
Imports engine.domain, engine.views, engine.store and the top-level config/metrics; never ui or streamlit."""
