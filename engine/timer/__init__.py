"""The engine process (`python -m engine run`): the timer with its lease, presence and vitals threads.
Imports engine.service, engine.store, engine.domain and the top-level config/metrics/log_setup."""
