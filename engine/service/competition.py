"""The competition desk's use cases: running-order changes, conflicts of interest, rounds.

Beside engine/service/core.py (login, scores, commands, setup) and built on it: every write checks the
session token and role there, and is one conditional transaction in the store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from engine.domain import accounts, competition, rules, running_order, schedule
from engine.domain.competition import Advancement, RoundInfo
from engine.domain.messages import N_
from engine.domain.model import (
    CommandRefused,
    Conflict,
    EventState,
    InvalidInput,
    Performer,
    PerformerStatus,
    Phase,
    Role,
    Step,
    new_event_id,
)
from engine.domain.snapshot import Snapshot
from engine.service.core import Service
from engine.store import RETRY
from engine.store.conflicts import Declaration

W = PerformerStatus
BEFORE_STAGE = (W.WAITING.value, W.SKIPPED.value, W.NO_SHOW.value)  # the admin: before on stage
BEFORE_WINDOW = (*BEFORE_STAGE, W.PERFORMING.value)  # the judge: before their scoring window


def behind_plan(snap: Snapshot, now: float) -> float:
    """Seconds the event runs behind its plan (negative: ahead); for the admin's control desk."""
    return schedule.behind_plan(snap.state, snap.settings, snap.performers, now)


@dataclass
class Competition:
    svc: Service

    # ---- running order ----------------------------------------------------------------------------
    def _change_order(self, token: str | None, name: str, change: Callable) -> running_order.OrderChange:
        actor = self.svc.logins.actor(token, Role.ADMIN)
        for _ in RETRY.tries():
            b = self.svc.bundle()
            performers = self.svc.store.performers.list(b.state.event_id)
            performer = running_order.find(performers, name)
            done = change(b.state, performers, performer.performer_id)
            now = self.svc.clock()
            step = Step(
                rules.replace_order(b.state, done.order), now, "order_changed", done.detail, done.updates
            )
            try:
                self.svc.store.events.write_step(b.state.version, step, actor, now)
                return done
            except Conflict:
                continue  # the clock moved meanwhile: decide again on the fresh state
        raise Conflict(N_("The event is changing too fast to change the running order; try again."))

    def move(self, token: str | None, name: str, position: int | None = None, last: bool = False):
        """Move a waiting performer to `position` (1-based, whole running order) or to the end."""
        return self._change_order(
            token, name, lambda s, ps, pid: running_order.move(s, ps, pid, position=position, last=last)
        )

    def no_show(self, token: str | None, name: str):
        return self._change_order(token, name, running_order.no_show)

    def bring_back(self, token: str | None, name: str):
        return self._change_order(token, name, running_order.bring_back)

    # ---- conflicts of interest --------------------------------------------------------------------
    def _judge(self, email: str) -> str:
        email = accounts.normalise_email(email)
        stored = self.svc.store.accounts.get(email)
        if stored is None or stored.account.role is not Role.JUDGE:
            shown = email if len(email) <= 80 else email[:79] + "…"
            raise InvalidInput(N_("There is no judge with the email {shown}."), shown=shown)
        return email

    def _conflict(self, token, email, name, remove: bool) -> tuple[str, str]:
        actor = self.svc.logins.actor(token, Role.ADMIN)
        judge = self._judge(email)
        eid = self.svc.event_id()
        performer = running_order.find(self.svc.store.performers.list(eid), name)
        fn = self.svc.store.conflicts.remove if remove else self.svc.store.conflicts.add
        for _ in RETRY.tries():
            try:
                fn(Declaration(eid, performer.performer_id, judge, actor, f"admin:{actor}", BEFORE_STAGE,
                               self.svc.clock()))  # fmt: skip
                return judge, performer.performer_id
            except CommandRefused:
                raise
            except Conflict:
                continue  # another write took this admin's log head first
        raise Conflict(N_("Too many changes at once; please try again."))

    def add_conflict(self, token: str | None, email: str, performer_name: str) -> tuple[str, str]:
        """The admin declares that a judge may not score a performer (before the performer is on stage)."""
        return self._conflict(token, email, performer_name, remove=False)

    def remove_conflict(self, token: str | None, email: str, performer_name: str) -> tuple[str, str]:
        return self._conflict(token, email, performer_name, remove=True)

    def step_aside(self, token: str, performer_id: str) -> None:
        """A judge declares their own conflict for a performer, up to the opening of the scoring window."""
        judge = self.svc.logins.whoami(token, Role.JUDGE).email
        eid = self.svc.event_id()
        if not any(p.performer_id == performer_id for p in self.svc.store.performers.list(eid)):
            raise InvalidInput(N_("That performer is not in this event."))
        for _ in RETRY.tries():
            try:
                self.svc.store.conflicts.add(Declaration(eid, performer_id, judge, judge, f"judge:{judge}",
                                                         BEFORE_WINDOW, self.svc.clock()))  # fmt: skip
                return
            except CommandRefused:
                raise
            except Conflict:
                continue
        raise Conflict(N_("Too many changes at once; please try again."))

    def conflicts(self, event_id: str | None = None) -> list[dict]:
        """Every declared conflict: judge, performer, who declared it and when."""
        eid = event_id or self.svc.event_id()
        names = {p.performer_id: p.name for p in self.svc.store.performers.list(eid)}
        return [
            {
                "judge": i["judge"],
                "performer_id": i["performer_id"],
                "performer": names.get(i["performer_id"], i["performer_id"]),
                "declared_by": i.get("declared_by", ""),
                "declared_at": float(i.get("declared_at", 0)),
            }
            for i in self.svc.store.conflicts.items(eid)
        ]

    # ---- rounds -----------------------------------------------------------------------------------
    def rounds(self) -> list[dict]:
        """The rounds of the current event's competition, each with its event id and phase."""
        eid = self.svc.event_id()
        current = self.svc.store.rounds.get(eid)
        out = []
        for r in self.svc.store.rounds.list(current.competition_id):
            state = self.svc.store.events.state(r.event_id)
            phase = state.phase.value if state else "missing"
            out.append({"number": r.number, "name": r.name, "event_id": r.event_id, "phase": phase,
                        "current": r.event_id == eid, "carry_weight": str(r.carry_weight)})  # fmt: skip
        return out

    def name_round(self, token: str | None, name: object) -> RoundInfo:
        """Rename the current round (round 1 is "Round 1" until named)."""
        actor = self.svc.logins.actor(token, Role.ADMIN)
        eid = self.svc.event_id()
        current = self.svc.store.rounds.get(eid)
        renamed = dataclasses.replace(current, name=competition.round_name(name, current.number))
        self.svc.store.rounds.save(renamed, self.svc.clock())
        self.svc.store.log.append(
            eid, f"admin:{actor}", self.svc.clock(), actor, "round_named", {"name": renamed.name}
        )
        return renamed

    def next_round(
        self,
        token: str | None,
        top: object = None,
        per_category: bool = True,
        chosen: Sequence[str] | None = None,
        name: object = None,
        carry_weight: object = 0,
    ) -> tuple[RoundInfo, Advancement]:
        """Advance from the finished current round: the top `top` (of each category, or overall) or the
        `chosen` performers by name, into a new round that becomes current (in SETUP, settings copied)."""
        actor = self.svc.logins.actor(token, Role.ADMIN)
        snap = self.svc.snapshot()
        if snap.state.phase is not Phase.FINISHED:
            raise CommandRefused(
                N_("This round has not finished yet; finish it before advancing performers.")
            )
        current = snap.round or RoundInfo.first(snap.event_id)
        if current.number >= competition.MAX_ROUNDS:
            raise CommandRefused(
                N_("A competition has at most {MAX_ROUNDS} rounds."), MAX_ROUNDS=competition.MAX_ROUNDS
            )
        title = competition.round_name(name, current.number + 1)
        weight = competition.carry_weight(carry_weight)
        if chosen is not None:
            ids = [running_order.find(snap.performers, n).performer_id for n in chosen]
            adv = competition.advance_chosen(snap.results, ids)
        else:
            adv = competition.advance_top(snap.by_category if per_category else {"": snap.results}, top)
        now = self.svc.clock()
        state = EventState(event_id=new_event_id(now), order=adv.order, stage=snap.state.stage)
        carried = {k: Decimal(v) for k, v in competition.carried(snap.results, adv.advanced, weight).items()}
        info = RoundInfo(current.competition_id, current.number + 1, title, state.event_id, weight, carried)
        ops = self.svc.store.rounds.ops(info, now)
        if self.svc.store.rounds.stored(snap.event_id) is None:
            ops += self.svc.store.rounds.ops(current, now, suffix="_previous")
        by_id = {p.performer_id: p for p in snap.performers}
        performers = [
            Performer(pid, by_id[pid].name, i, by_id[pid].category, difficulty=by_id[pid].difficulty)
            for i, pid in enumerate(adv.order, start=1)
        ]
        # The same judges and performers: a conflict declared in this round holds in the next one.
        kept = self.svc.store.conflicts.carry_over(snap.event_id, state.event_id, adv.order)
        try:
            self.svc.store.events.create(
                state, snap.settings, performers, now, actor, previous=snap.state, extra=ops
            )
        except Conflict:
            self.svc.store.conflicts.forget(kept)
            raise
        detail = {
            "round": info.number,
            "name": title,
            "advanced": list(adv.advanced),
            "notes": list(adv.notes),
            "conflicts_carried": len(kept),
        }
        self.svc.store.log.append(state.event_id, f"admin:{actor}", now, actor, "round_advanced", detail)
        return info, adv
