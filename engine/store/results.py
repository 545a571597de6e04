"""The results of an event (round): one RESULTS item in the event's TimerStatus partition holding the
results settings, the sign-off and the reveal; the admins' "please check" requests (CHECK#email); and
the performers' private sheet links (SHEET#token-hash, found by the hash alone, with SHEETLINK#performer
beside the event so a new link replaces the old). Every change commits together with its log entry."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal

from engine.domain.messages import N_
from engine.domain.model import Conflict
from engine.domain.release import Release, ResultsSettings
from engine.store import codec, tx
from engine.store.client import RETRY, Client, to_key
from engine.store.eventlog import EventLog
from engine.store.schema import STATUS, TableNames

RESULTS = "RESULTS"
# The condition a score's transaction checks on the results item (it holds for a missing item too).
NOT_SIGNED_OFF = "attribute_not_exists(signed_off_at)"


def results_settings_to_json(s: ResultsSettings) -> str:
    return json.dumps(
        {
            "outlier_distance": str(s.outlier_distance),
            "protest_minutes": s.protest_minutes,
            "hide_until_revealed": s.hide_until_revealed,
            "reveal_every_seconds": s.reveal_every_seconds,
            "judge_names_on_sheets": s.judge_names_on_sheets,
        },
        sort_keys=True,
    )


def results_settings_from_json(text: str | None) -> ResultsSettings:
    d = json.loads(text) if text else {}
    base = ResultsSettings()
    return ResultsSettings(
        outlier_distance=Decimal(d.get("outlier_distance", str(base.outlier_distance))),
        protest_minutes=int(d.get("protest_minutes", base.protest_minutes)),
        hide_until_revealed=bool(d.get("hide_until_revealed", base.hide_until_revealed)),
        reveal_every_seconds=int(d.get("reveal_every_seconds", base.reveal_every_seconds)),
        judge_names_on_sheets=bool(d.get("judge_names_on_sheets", base.judge_names_on_sheets)),
    )


def _release_from(event_id: str, i: dict | None) -> Release:
    if not i:
        return Release(event_id)
    return Release(
        event_id,
        results_settings_from_json(i.get("settings")),
        i.get("signed_off_by"),
        codec.to_float(i.get("signed_off_at")),
        i.get("results_hash"),
        int(i.get("revealed", 0)),
        codec.to_float(i.get("revealed_at")),
        int(i.get("version", 0)),
        _judges_from(i.get("judges")),
    )


def _judges_from(text: str | None) -> tuple[tuple[str, str, str, bool], ...] | None:
    if not text:
        return None
    return tuple((e, n, w, bool(a)) for e, n, w, a in json.loads(text))


def _check(i: dict) -> dict:
    at = codec.to_float(i["requested_at"])
    return {"performer": i["performer_id"], "sentence": i["sentence"], "at": at}


def _release_item(r: Release) -> dict:
    return {
        "pk": r.event_id,
        "sk": RESULTS,
        "event_id": r.event_id,
        "settings": results_settings_to_json(r.settings),
        "signed_off_by": r.signed_off_by,
        "signed_off_at": codec.to_decimal(r.signed_off_at),
        "results_hash": r.results_hash,
        "revealed": r.revealed,
        "revealed_at": codec.to_decimal(r.revealed_at),
        "version": r.version,
        "judges": None if r.judges is None else json.dumps([list(j) for j in r.judges]),
    }


class Results:
    def __init__(self, client: Client, tables: TableNames, log: EventLog):
        self.client = client
        self.table = tables.status
        self.log = log

    def get(self, event_id: str) -> Release:
        return _release_from(event_id, self.client.get(self.table, {"pk": event_id, "sk": RESULTS}))

    def _commit(self, ops: Callable[[], list[tx.Op]], refused: str, guarded: tuple[str, ...]) -> None:
        """Commit, trying again when only a log head moved; Conflict(refused) when a named condition
        failed (the caller reads again and decides)."""
        for _ in RETRY.tries():
            try:
                tx.Transaction(self.client, ops()).commit()
                return
            except tx.Cancelled as c:
                if any(c.failed(name) for name in guarded):
                    raise Conflict(refused) from c
        raise Conflict(N_("Too many simultaneous changes to the results; please try again."))

    def _put(self, old: Release, new: Release, condition: str) -> tx.Op:
        guard = "(attribute_not_exists(sk) OR version = :v)" if old.version == 0 else "version = :v"
        item = _release_item(new)
        return tx.put(
            "results", self.table, item, condition=f"{guard} AND {condition}", values={":v": old.version}
        )

    def write(self, old: Release, new: Release, actor: str, now: float, kind: str, data: dict,
              state_version: int | None = None) -> None:  # fmt: skip
        """Replace the results item `old` (as read) with `new`, conditional on its version, on the sign-off
        (settings and sign-off: not yet official; a reveal: official) and, when given, on the event's
        state version (a sign-off decides on the state it read). Raises Conflict when any moved."""
        condition = "attribute_exists(signed_off_at)" if old.official else NOT_SIGNED_OFF

        def ops() -> list[tx.Op]:
            out = [self._put(old, new, condition)]
            if state_version is not None:
                out.append(
                    tx.condition_check(
                        "state",
                        self.table,
                        {"pk": old.event_id, "sk": STATUS},
                        "version = :sv",
                        values={":sv": state_version},
                    )
                )
            stream = f"admin:{actor}"
            return out + self.log.append_ops(old.event_id, stream, now, actor, kind, data)

        self._commit(ops, "The results changed meanwhile; reload and try again.", ("results", "state"))

    # ---- "please check" requests ----------------------------------------------------------------
    def get_check(self, event_id: str, judge: str) -> dict | None:
        return self.client.get(self.table, {"pk": event_id, "sk": f"CHECK#{judge}"})

    def list_checks(self, event_id: str) -> dict[str, dict]:
        """Every open request of the event, by judge: {performer, sentence, at} (one Query)."""
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues=to_key(**{":p": event_id, ":s": "CHECK#"}),
            ConsistentRead=True,
        )
        return {i["judge"]: _check(i) for i in items}

    def request_check(self, event_id: str, judge: str, performer_id: str, sentence: str, actor: str,
                      now: float) -> None:  # fmt: skip
        item = {"pk": event_id, "sk": f"CHECK#{judge}", "event_id": event_id, "judge": judge,
                "performer_id": performer_id, "sentence": sentence, "requested_by": actor,
                "requested_at": codec.to_decimal(now)}  # fmt: skip
        data = {"judge": judge, "performer_id": performer_id, "sentence": sentence}

        def ops() -> list[tx.Op]:
            put = tx.put("check", self.table, item)
            return [
                put,
                *self.log.append_ops(event_id, f"admin:{actor}", now, actor, "check_requested", data),
            ]

        self._commit(ops, "", ())

    def answer_check(self, event_id: str, judge: str, confirmed: bool, now: float) -> dict:
        """Clear the judge's request and log the answer; Conflict when there is no request (any more)."""
        current = self.get_check(event_id, judge)
        if not current:
            raise Conflict(N_("There is no request to check a score for you."))
        data = {"performer_id": current["performer_id"], "confirmed": confirmed}
        key = {"pk": event_id, "sk": f"CHECK#{judge}"}

        def ops() -> list[tx.Op]:
            gone = tx.delete("check", self.table, key, condition="attribute_exists(sk)")
            return [
                gone,
                *self.log.append_ops(event_id, f"judge:{judge}", now, judge, "check_answered", data),
            ]

        self._commit(ops, "There is no request to check a score for you.", ("check",))
        return current

    def log_flags(self, event_id: str, judge: str, flags: list[dict], now: float) -> None:
        """Outlier flags raised by a judge's submission, on that judge's stream (no contention)."""
        for flag in flags:
            self.log.append(event_id, f"judge:{judge}", now, "outlier-check", "outlier_flagged", flag)

    # ---- performers' sheet links ----------------------------------------------------------------
    def sheet_link(self, token_hash: str) -> tuple[str, str] | None:
        """(event_id, performer_id) of a link, found by its token's hash; None for an unknown one."""
        item = self.client.get(self.table, {"pk": f"SHEET#{token_hash}", "sk": "SHEET"})
        return (item["event_id"], item["performer_id"]) if item else None

    def replace_sheet_links(self, event_id: str, hashes: Mapping[str, str], actor: str, now: float) -> None:
        """A new link per performer (performer_id -> token hash); each performer's old link stops working."""
        for performer_id, digest in hashes.items():
            mapping_key = {"pk": event_id, "sk": f"SHEETLINK#{performer_id}"}
            old = self.client.get(self.table, mapping_key)
            link = {"pk": f"SHEET#{digest}", "sk": "SHEET", "event_id": event_id}
            link |= {"performer_id": performer_id, "created_at": codec.to_decimal(now)}
            ops = [
                tx.put("link", self.table, link, condition="attribute_not_exists(pk)"),
                tx.put("mapping", self.table, {**mapping_key, "token_hash": digest}),
            ]
            if old:
                ops.append(tx.delete("old", self.table, {"pk": f"SHEET#{old['token_hash']}", "sk": "SHEET"}))
            tx.Transaction(self.client, ops).commit()
        data = {"performers": len(hashes)}
        self.log.append(event_id, f"admin:{actor}", now, actor, "sheet_links_created", data)

    def has_sheet_links(self, event_id: str) -> set[str]:
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues=to_key(**{":p": event_id, ":s": "SHEETLINK#"}),
        )
        return {i["sk"].removeprefix("SHEETLINK#") for i in items}
