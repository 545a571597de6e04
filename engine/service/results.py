"""The results use cases (`service.results`): sign-off, the reveal, results settings, "please check"
requests and their answers, outlier flags logged as scores arrive, the performers' sheet links.
Every write checks the session token and role, and commits with its log entry."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from engine.domain import accounts, release, stages
from engine.domain.messages import ENGLISH, N_, Wording
from engine.domain.model import Conflict, Criterion, InvalidInput, NotAllowed, Role, Score, StagescoreError
from engine.domain.outliers import panel_flags, shown
from engine.domain.release import Release, ResultsSettings
from engine.domain.scoring import display
from engine.store import RETRY
from engine.store.results import results_settings_to_json
from engine.views import results

if TYPE_CHECKING:
    from engine.service.core import Service
    from engine.store import Store

log = logging.getLogger("stagescore.results")
NO_LINK = N_("This score sheet link is not valid; ask the organiser for yours.")
NOT_YET = N_("This score sheet opens once the results are official.")


@dataclass
class Results:
    """The results use cases, as `service.results`; reads the event through the service it hangs off."""

    svc: Service

    @property
    def store(self) -> Store:
        return self.svc.store

    def clock(self) -> float:
        return self.svc.clock()

    # ---- reading --------------------------------------------------------------------------------
    def release(self, event_id: str | None = None) -> Release:
        return self.store.results.get(event_id or self.svc.event_id())

    def results_status(self, event_id: str | None = None) -> dict:
        """For `status --json` and the desk: results_status, signed_off_by, signed_off_at, protest, reveal."""
        b = self.svc.bundle(event_id)
        rel = self.store.results.get(b.state.event_id)
        remaining = release.protest_remaining(b.state, rel.settings, self.clock())
        return {
            "results_status": release.status(b.state, rel).value,
            "signed_off_by": rel.signed_off_by,
            "signed_off_at": rel.signed_off_at,
            "results_hash": rel.results_hash,
            "protest_remaining_seconds": None if remaining is None else round(remaining, 3),
            "revealed": rel.revealed,
        }

    def judge_check_request(self, judge_email: str, event_id: str | None = None) -> dict | None:
        """The judge document's `check_request`: null or {performer, sentence}."""
        item = self.store.results.get_check(event_id or self.svc.event_id(), judge_email)
        return {"performer": item["performer_id"], "sentence": item["sentence"]} if item else None

    # ---- writing ------------------------------------------------------------------------------
    def check_writable(self, event_id: str, what: str) -> None:
        release.check_writable(self.store.results.get(event_id), what)

    def save_results_settings(self, token: str | None, settings: ResultsSettings) -> Release:
        actor = self.svc.logins.actor(token, Role.ADMIN)
        release.validate_results_settings(settings)
        eid = self.svc.event_id()
        for _ in RETRY.tries():
            rel = self.store.results.get(eid)
            release.check_writable(rel, "settings")
            new = replace(rel, settings=settings, version=rel.version + 1)
            data = {"settings": results_settings_to_json(settings)}
            try:
                self.store.results.write(rel, new, actor, self.clock(), "results_settings_changed", data)
                return new
            except Conflict:
                continue
        raise Conflict(N_("The results settings are changing too fast; try again."))

    def sign_off(self, token: str | None) -> Release:
        """Make the results official: who, when and the hash of the results document, in the log."""
        actor = self.svc.logins.actor(token, Role.ADMIN)
        for _ in RETRY.tries():
            b = self.svc.bundle()
            rel = self.store.results.get(b.state.event_id)
            now = self.clock()
            release.check_sign_off(b.state, rel, now)
            digest = release.results_hash(results.results_document(self.svc.snapshot(b.state.event_id)))
            panel = stages.panel(self.store.accounts.list(Role.JUDGE), b.state.stage)
            judges = release.freeze_judges(panel)  # they rank the round
            new = replace(
                rel,
                signed_off_by=actor,
                signed_off_at=now,
                results_hash=digest,
                version=rel.version + 1,
                judges=judges,
            )
            data = {"signed_off_by": actor, "results_hash": digest}
            try:
                self.store.results.write(rel, new, actor, now, "results_signed_off", data, b.state.version)
                return new
            except Conflict:
                continue  # the state or the results moved: decide again on what is there now
        raise Conflict(N_("The event is changing too fast to sign off; try again."))

    def reveal_next(self, token: str | None) -> int:
        """Reveal one more place (last place first); returns how many are revealed."""
        actor = self.svc.logins.actor(token, Role.ADMIN)
        for _ in RETRY.tries():
            snap = self.svc.snapshot()
            rel = self.store.results.get(snap.event_id)
            now = self.clock()
            places = release.reveal_places(snap.results, snap.reveal_groups)
            count = release.next_reveal(rel, len(places), now)
            new = replace(rel, revealed=count, revealed_at=now, version=rel.version + 1)
            data = {"revealed": count, "performers": places[count - 1]}
            try:
                self.store.results.write(rel, new, actor, now, "place_revealed", data)
                return count
            except Conflict:
                continue
        raise Conflict(N_("The reveal is changing too fast; try again."))

    def request_check(self, admin_token: str | None, judge_email: str, performer_id: str) -> str:
        """Ask a judge to check a score; returns the sentence the judge sees."""
        actor = self.svc.logins.actor(admin_token, Role.ADMIN)
        snap = self.svc.snapshot()
        rel = self.store.results.get(snap.event_id)
        release.check_writable(rel, "scores")
        score = snap.scores_for(performer_id).get(accounts.normalise_email(judge_email))
        if score is None:
            raise InvalidInput(N_("That judge has no score for this performer to check."))
        name = snap.performer_name(performer_id)
        flagged = [f for f in results.flags(snap, rel.settings.outlier_distance) if f.judge == score.judge]
        flagged = [f for f in flagged if f.performer_id == performer_id]
        gave = display(score.total)
        if flagged:  # name what looks mistyped: the flagged value (and its criterion when there are several)
            what = f" for {flagged[0].criterion}" if len(snap.settings.criteria) > 1 else ""
            gave = shown(flagged[0].value) + what
        sentence = f"Please check your score for {name}: you gave {gave}."
        self.store.results.request_check(
            snap.event_id, score.judge, performer_id, sentence, actor, self.clock()
        )
        return sentence

    def answer_check(self, judge_token: str, confirm: bool) -> str:
        """The judge's answer: confirm the score, or revise it (with a normal submission) while the window
        is open. Returns the sentence for the judge."""
        judge = self.svc.logins.whoami(judge_token, Role.JUDGE)
        b = self.svc.bundle()
        try:
            item = self.store.results.answer_check(b.state.event_id, judge.email, bool(confirm), self.clock())
        except Conflict as c:
            raise NotAllowed(str(c)) from None
        if confirm:
            return "Thank you: your score stands as it is."
        if b.state.scoring_open(self.clock()) and b.state.performer_id == item["performer_id"]:
            return "Revise your score below while the window is open."
        return "The scoring window has closed; ask the admin to extend it before you revise."

    def after_score(self, score: Score, replayed: bool) -> tuple[Score, bool]:
        """Flag outliers the new score raises (its own, or another judge's once the panel is big enough)
        and log them; a failure here never loses the stored score."""
        if replayed:
            return score, replayed
        try:
            self._log_flags(score)
        except StagescoreError as e:
            log.warning("outlier check skipped after a score: %s", e)
        return score, replayed

    def _log_flags(self, score: Score) -> None:
        b = self.svc.bundle(score.event_id)
        rel = self.store.results.get(score.event_id)
        scores = {s.judge: s.values for s in self.store.scores.list(score.event_id, score.performer_id, True)}
        labels = {a.email: a.name for a in self.store.accounts.list(Role.JUDGE)}
        distance = rel.settings.outlier_distance
        self.record_flags(score, scores, b.settings.criteria, distance, labels, b.settings.shadows)

    def record_flags(
        self,
        score: Score,
        scores: Mapping[str, Mapping[str, Decimal]],
        criteria: Sequence[Criterion],
        distance: Decimal,
        labels: Mapping[str, str],
        shadows: Sequence[str] = (),
    ) -> None:
        """Log the outlier flags `score` raised, given the panel's values for its performer (its own
        included; the live route passes what its feed holds, so nothing more is read). A shadow judge's
        scores are no part of the panel: they raise no flag and move no median."""
        if score.judge in shadows:
            return
        scores = {j: v for j, v in scores.items() if j not in shadows}
        without = {j: v for j, v in scores.items() if j != score.judge}
        before = {
            (f.judge, f.criterion, f.value) for f in panel_flags("", without, criteria, distance, labels)
        }
        found = panel_flags(score.performer_id, scores, criteria, distance, labels)
        data = [f.as_log() for f in found if (f.judge, f.criterion, f.value) not in before]
        self.store.results.log_flags(score.event_id, score.judge, data, self.clock())

    # ---- performers' sheets ------------------------------------------------------------------------
    def create_sheet_links(self, token: str | None) -> dict[str, str]:
        """A fresh private link token per performer (shown once: only its hash is stored)."""
        actor = self.svc.logins.actor(token, Role.ADMIN)
        eid = self.svc.event_id()
        tokens = {p.performer_id: accounts.new_token() for p in self.store.performers.list(eid)}
        self.store.results.replace_sheet_links(
            eid, {p: d for p, (_, d) in tokens.items()}, actor, self.clock()
        )
        return {p: t for p, (t, _) in tokens.items()}

    def sheet_for_link(self, link_token: str, wording: Wording = ENGLISH) -> tuple[str, bytes]:
        """(file name, PDF) of the one performer a link belongs to, once the results are official; its words
        in `wording`'s language (engine/views/sheets.py)."""
        from engine.views import sheets

        if not isinstance(link_token, str) or not 20 <= len(link_token) <= 200:
            raise NotAllowed(NO_LINK)
        found = self.store.results.sheet_link(accounts.token_hash(link_token))
        if found is None:
            raise NotAllowed(NO_LINK)
        event_id, performer_id = found
        rel = self.store.results.get(event_id)
        if not rel.official:
            raise NotAllowed(NOT_YET)
        snap = self.svc.snapshot(event_id)
        return sheets.file_name(snap, performer_id), sheets.performer_pdf(snap, rel, performer_id, wording)
