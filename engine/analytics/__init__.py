"""The admin's analytics as pandas frames, read by the charts: the only pandas/numpy in engine/.
Imports only engine.domain and engine.analytics."""
