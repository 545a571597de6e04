"""`python -m engine api-key create NAME | list [--json] | revoke ID`: the read API's keys (the same use
cases as Log & exports: engine/service/apikeys.py). A key is printed once, when it is made."""

from __future__ import annotations

import json
import time

from engine.service.apikeys import ApiUseCases


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "-"


def cmd_api_key(a) -> int:
    from engine.cli.context import service

    api = ApiUseCases(service())
    if a.action == "create":
        made, key = api.create_key(None, a.name)
        print(f"API key {made.key_id} ({made.name}): shown once, store it now; send it as")
        print("Authorization: Bearer KEY (never in an address).")
        print(key)
    elif a.action == "revoke":
        print(f"Revoked API key {api.revoke_key(None, a.name)}; it is refused from the next request on.")
    else:
        keys = api.keys(None)
        if a.json:
            print(json.dumps([k.as_json() for k in keys]))
        for k in [] if a.json else keys:
            state = "active" if k.active else f"revoked {_when(k.revoked_at)} by {k.revoked_by}"
            print(f"{k.key_id}  {k.name:<30} made {_when(k.created_at)} by {k.created_by}  {state}")
        if not keys and not a.json:
            print("No API keys.")
    return 0


def register(sub) -> None:
    """Add the `api-key` command to the parser's subcommands."""
    p = sub.add_parser("api-key", help="the read API's keys: create, list, revoke")
    p.add_argument("action", choices=["create", "list", "revoke"])
    p.add_argument("name", nargs="?", help="create: who or what uses the key; revoke: the key's id")
    p.add_argument("--json", action="store_true", help="list: a JSON array")
    p.set_defaults(fn=cmd_api_key)
