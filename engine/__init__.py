"""Stagescore's back end, by layer (the layer is the folder): cli, timer -> service -> store, views -> domain.
No streamlit here; bootstrap.py builds each process's Store and Service (rules in pyproject.toml)."""
