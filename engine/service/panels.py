"""Who judges what (`service.panels`): a judge put on criteria's sub-panels, made a shadow judge or the
head judge; the head judge's deductions; each judge's calibration card. Setup and the CLI call these.

Sub-panels, shadows and the head judge are event settings, saved through the settings' one way in
(Service.update_settings: the admin only, refused once the results are official, sub-panels and shadows
locked once the event has started). A deduction is entered here alone (`deduct`), for the head judge's
screen, the results desk and the CLI alike; its transaction checks the sign-off at commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.domain import calibration, deductions, overtime, panels
from engine.domain.calibration import Card
from engine.domain.deductions import Deduction
from engine.domain.messages import N_
from engine.domain.model import InvalidInput, NotAllowed, Role, Session, Settings, TimeRule
from engine.service.logins import OPERATOR

if TYPE_CHECKING:
    from engine.service.core import Service


@dataclass
class Panels:
    svc: Service

    def _judge(self, email: str) -> str:
        stored = self.svc.store.accounts.get((email or "").strip().lower())
        if stored is None or stored.account.role is not Role.JUDGE:
            raise InvalidInput(N_("There is no judge {email}."), email=f"{email!s:.80}")
        return stored.account.email

    def _settings(self) -> Settings:
        return self.svc.bundle().settings

    # ---- Setup: sub-panels, shadows, the head judge --------------------------------------------------
    def assign(self, token: str | None, email: str, criteria: list[str] | None) -> Settings:
        """`email` on exactly the sub-panels of `criteria` (None or []: on none of them)."""
        judge, settings = self._judge(email), self._settings()
        changed = settings.with_changes(criteria=panels.assign(settings.criteria, judge, criteria))
        return self.svc.update_settings(token, changed)

    def shadow(self, token: str | None, email: str, shadow: bool = True) -> Settings:
        judge, settings = self._judge(email), self._settings()
        others = tuple(j for j in settings.shadows if j != judge)
        return self.svc.update_settings(
            token, settings.with_changes(shadows=(*others, judge) if shadow else others)
        )

    def head(self, token: str | None, email: str | None) -> Settings:
        """The event's head judge (None: none; admins enter deductions all the same)."""
        judge = self._judge(email) if email else ""
        return self.svc.update_settings(token, self._settings().with_changes(head_judge=judge))

    def catalogue(self, token: str | None, rows) -> Settings:
        kinds = deductions.parse_catalogue(rows)
        return self.svc.update_settings(token, self._settings().with_changes(deductions=kinds))

    def timing(self, token: str | None, rule: TimeRule) -> Settings:
        """The time limit and its penalty (overtime.parse makes one; locked once the event has started)."""
        return self.svc.update_settings(token, self._settings().with_changes(time_rule=rule))

    # ---- the head judge's deductions ------------------------------------------------------------------
    def _who(self, token: str | None) -> Session:
        if token is None:
            return Session("", OPERATOR, Role.ADMIN, "operator")  # the shell holds the database already
        return self.svc.logins.whoami(token)

    def deduct(
        self,
        token: str | None,
        performer_id: str | None = None,
        kind: str | None = None,
        count: object = 1,
        points: object = None,
        reason: object = "",
        timed: bool = False,
    ) -> Deduction | None:
        """A deduction for `performer_id` (None: the performer on stage): `count` × the catalogue's `kind`,
        or with no kind a free penalty of `points` for `reason`; with `timed`, the performer's time
        penalty, from the time the engine recorded at the admin's "done" (None when within the limit or
        entered already: it has one id per performer). The one way a deduction enters."""
        who = self._who(token)
        b = self.svc.bundle()
        if not deductions.may_enter(b.settings, who.email, who.role):
            raise deductions.not_allowed()
        pid = performer_id or deductions.on_stage(b.state)
        if not pid:
            raise InvalidInput(N_("Nobody is on stage; choose the performer."))
        eid = b.state.event_id
        performers = self.svc.store.performers.list(eid, consistent=timed)  # a time just recorded
        performer = next((p for p in performers if p.performer_id == pid), None)
        deductions.check_performer(performer, self.svc.store.results.get(eid).official)
        if timed:
            off, why = overtime.entry_for(b.settings, performer)
            what, n, entry_id = "", 1, overtime.entry_id(pid)
        else:
            what, off, why, n = deductions.entry_for(b.settings, kind, count, points, reason)
            entry_id = uuid.uuid4().hex[:16]
        deductions.check_cap(b.settings, b.deductions, pid, what, off)
        entry = Deduction(entry_id, pid, what, off, why, who.email, self.svc.clock(), n)
        if not off or not self.svc.store.deductions.add(eid, entry, self._stream(who)):
            return None
        return entry

    def withdraw(self, token: str | None, entry_id: str) -> Deduction:
        """Withdraw a deduction entered by mistake (the head judge or an admin, until the results are
        official): it no longer comes off; its entry stays in the log, the withdrawal logged after it."""
        who = self._who(token)
        b = self.svc.bundle()
        if not deductions.may_enter(b.settings, who.email, who.role):
            raise deductions.not_allowed()
        signed_off = self.svc.store.results.get(b.state.event_id).official
        entry = deductions.check_withdraw(b.deductions, entry_id, signed_off)
        self.svc.store.deductions.withdraw(
            b.state.event_id, entry, who.email, self.svc.clock(), self._stream(who)
        )
        return entry

    @staticmethod
    def _stream(who: Session) -> str:
        return f"{'judge' if who.role is Role.JUDGE else 'admin'}:{who.email}"

    # ---- calibration cards -----------------------------------------------------------------------------
    def card(self, token: str | None, judge: str | None = None, event_id: str | None = None) -> Card:
        """`judge`'s calibration card (None: the viewer's own), once the round's results are official;
        only the judge, the head judge or an admin may open it."""
        who = self._who(token)
        snap = self.svc.snapshot(event_id)
        judge = (judge or who.email).strip().lower()
        if not calibration.may_open(snap.settings, who.email, who.role, judge):
            raise NotAllowed(calibration.NOT_YOURS)
        if snap.release is None or not snap.release.official:
            raise NotAllowed(calibration.NOT_YET)
        own = snap.shadow_scores if judge in snap.settings.shadows else snap.scores
        return calibration.card(snap.settings, judge, snap.performers, snap.scores, own, snap.panel)

    def judges(self, event_id: str | None = None) -> list[str]:
        """Whose cards there are: the panel and the shadow judges."""
        snap = self.svc.snapshot(event_id)
        return [*snap.panel, *snap.settings.shadows]
