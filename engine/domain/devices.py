"""Login links and devices, pure: a link's one use and 15 minutes, a browser named in a few words, and
the sentences a refused link or an ended session gets."""

from __future__ import annotations

import secrets

from engine.domain.messages import N_
from engine.domain.model import NotAllowed

LINK_SECONDS = 15 * 60
PRESENT_SECONDS = 120.0  # a device is "present" if it was seen this recently
SEEN_EVERY = 60.0  # a session's last-seen time is written at most this often

LINK_EXPIRED = N_("This login link has expired; ask the organiser for a new one.")
LINK_USED = N_("This login link has already been used; ask the organiser for a new one.")
LINK_INVALID = N_("This login link is not valid; ask the organiser for a new one.")

# Why a session ended, as stored on it, and what its page then says.
SWAPPED, ENDED_BY_ADMIN, PASSWORD_CHANGED, DISABLED = "swap", "admin", "password", "disabled"
ENDED = {
    SWAPPED: N_(
        "This judge has logged in on another device; if this is your phone, ask the organiser "
        "for a new login link."
    ),
    ENDED_BY_ADMIN: N_("The organiser ended this session; please log in again."),
    PASSWORD_CHANGED: N_("The password of this account was changed; please log in again."),
    DISABLED: N_("This account is disabled; ask the organiser."),
}
SESSION_OVER = N_("Your session has ended; please log in again.")


class SessionEnded(NotAllowed):
    """No valid session behind the token (answered 401: log in again), unlike a wrong role (403)."""


def ended_sentence(session: dict | None) -> str:
    """Why a stored session item no longer logs anyone in: the reason it was ended with, if any."""
    reason = (session or {}).get("ended")
    return ENDED.get(reason, SESSION_OVER) if reason else SESSION_OVER


_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def new_code() -> str:
    """A login link's one-time code (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def new_device_id() -> str:
    return secrets.token_urlsafe(18)


def well_formed_code(code: object) -> bool:
    """Whether `code` could be one of ours; anything else is refused without a database read."""
    return isinstance(code, str) and 32 <= len(code) <= 64 and set(code) <= _CODE_CHARS


def link_expiry(now: float) -> float:
    return now + LINK_SECONDS


def link_refusal(item: dict | None, now: float) -> str | None:
    """None if the stored link `item` may log in now, else the sentence that refuses it."""
    if item is None:
        return LINK_INVALID
    if item.get("used_at"):
        return LINK_USED
    if float(item["expires_at"]) <= now:
        return LINK_EXPIRED
    return None


def present(last_seen: float, now: float) -> bool:
    return now - last_seen <= PRESENT_SECONDS


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
)
_BROWSERS += (("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"))
_SYSTEMS += (("Mac OS X", "Mac"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_agent(agent: str | None) -> str:
    """ "Chrome on Android" and the like, from a User-Agent header; never the header itself."""
    agent = agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    if not browser:
        return N_("Unknown browser")
    return f"{browser} on {system}" if system else browser
