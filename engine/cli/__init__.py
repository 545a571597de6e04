"""The command line, `python -m engine ...` (engine/__main__.py is its entry): one module per feature.
Imports anything in engine/ below it (timer, service, views, store, domain, localdb); nothing imports it."""
