"""The rules of the event: pure functions and types, `now` and data in, no I/O, no pandas.
Imports only engine.domain (and the standard library, argon2 for passwords)."""
