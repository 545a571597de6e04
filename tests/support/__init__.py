"""What tests/ and bench/ share: waiting (waiting.py), child processes (processes.py), the stack of
DynamoDB Local, engine and web server (stack.py), Chromium for Playwright (browser.py), and the
accounts and event the tests seed (events.py)."""
