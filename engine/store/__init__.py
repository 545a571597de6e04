"""The DynamoDB adapter, one repository per aggregate over one client (the only module importing boto3).
Imports engine.domain, engine.store and the top-level config/metrics; boto3 in store/client.py alone.

store = Store(Config.from_env())   (engine/bootstrap.py builds the process's one)
store.events       state, settings, presence, flags, transitions, event list, current pointer
store.performers   the performers of an event
store.scores       judges' scores and their history
store.score_commits  the one way in for a score: one transaction checking every rule
store.log          the hash-chained event log (store/eventlog.py)
store.accounts     judge and admin accounts
store.sessions     login sessions
store.logins       throttling, failed logins, login links, devices, the sessions of each account
store.lease        the engine leases, one per stage
store.stages       the deployment's stages
store.conflicts    judges who stepped aside for a performer
store.deductions   the head judge's deductions and penalties (read with the state by events.load)
store.rounds       which competition and round an event is
store.results      results settings, sign-off, reveal, check requests, performers' sheet links
store.votes        the audience vote: windows, counter shards, tallies, reveal, void
store.vote_commits  the one way in for an audience vote: the votes arriving together, one transaction
store.on_air       what each stage's overlays and projector show (the streaming operator's switches)
store.api_keys     the read API's keys (hashed), in the logins table
store.webhooks     each webhook's progress per stage: where it read the log to, failures, drops
"""

from __future__ import annotations

from engine.config import Config
from engine.store.accounts import Accounts, Sessions, StoredAccount
from engine.store.apikeys import ApiKeys
from engine.store.client import RETRY, Client, RetryPolicy, StoreError
from engine.store.conflicts import Conflicts
from engine.store.deductions import Deductions
from engine.store.eventlog import EventLog
from engine.store.events import EventBundle, Events
from engine.store.lease import Lease
from engine.store.logins import Logins
from engine.store.on_air import OnAirSettings
from engine.store.performers import Performers
from engine.store.presence import Presence
from engine.store.results import Results
from engine.store.rounds import Rounds
from engine.store.schema import TableNames, create_tables
from engine.store.score_commit import ScoreCommits
from engine.store.scores import Scores
from engine.store.stages import Stages
from engine.store.vote_commit import VoteCommits
from engine.store.votes import Votes
from engine.store.webhooks import Webhooks

__all__ = ["RETRY", "EventBundle", "RetryPolicy", "Store", "StoreError", "StoredAccount", "TableNames"]


class Store:
    def __init__(self, config: Config | None = None, boto_client=None):
        self.config = config or Config.from_env()
        self.client = Client(self.config, boto_client)
        self.tables = TableNames.with_prefix(self.config.table_prefix)
        self.log = EventLog(self.client, self.tables)
        self.performers = Performers(self.client, self.tables)
        self.events = Events(self.client, self.tables, self.log, self.performers)
        self.presence = Presence(self.client, self.tables)
        self.scores = Scores(self.client, self.tables, self.log)
        self.score_commits = ScoreCommits(self.client, self.tables, self.log)
        self.accounts = Accounts(self.client, self.tables)
        self.sessions = Sessions(self.client, self.tables)
        self.logins = Logins(self.client, self.tables)
        self.lease = Lease(self.client, self.tables)
        self.conflicts = Conflicts(self.client, self.tables, self.log)
        self.deductions = Deductions(self.client, self.tables, self.log)
        self.rounds = Rounds(self.client, self.tables)
        self.results = Results(self.client, self.tables, self.log)
        self.stages = Stages(self.client, self.tables)
        self.votes = Votes(self.client, self.tables, self.log)
        self.vote_commits = VoteCommits(self.client, self.tables)
        self.on_air = OnAirSettings(self.client, self.tables)
        self.api_keys = ApiKeys(self.client, self.tables)
        self.webhooks = Webhooks(self.client, self.tables)

    def create_tables(self, wait: bool = True) -> list[str]:
        """Create any missing table; idempotent. Returns the names created."""
        return create_tables(self.client, self.tables, wait)
