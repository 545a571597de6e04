"""What the admin sees of logins: per judge a login QR code and the active devices (Setup), and failed
logins with an unlock (the control desk). The pages call one function each."""

from __future__ import annotations

import functools
import time
from urllib.parse import urlsplit

import streamlit as st

from engine.domain import devices
from engine.domain.model import DatabaseUnavailable, Role, Session, StagescoreError
from engine.service.logins import Device, FailedLogins
from engine.views import qr
from ui import cookies, i18n, widgets
from ui.data import UNREACHABLE, service
from ui.i18n import _, ngettext


def app_url() -> str:
    """This app's address as the admin's browser reaches it (a judge's phone uses the same)."""
    url = st.context.url
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}{cookies.base_path().rstrip('/')}"
    return qr.base_url()


def _guarded(action, done: str | None = None) -> None:
    try:
        action()
    except DatabaseUnavailable:
        st.error(_(UNREACHABLE) + " " + _("Nothing was changed."))
    except StagescoreError as e:
        st.error(i18n.error_text(e))
    else:
        if done:
            st.toast(done)


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 90:
        return _("{n} s ago").format(n=seconds)
    if seconds < 5400:
        return _("{n} min ago").format(n=seconds // 60)
    return _("{n} h ago").format(n=seconds // 3600)


def failed_login_lines(found: list[FailedLogins]) -> list[str]:
    """ "12 failed logins for judge3 in the last minute from 1 address", one line per account."""
    lines = []
    for f in found:
        who = f.email.split("@")[0]
        logins = ngettext(
            "{n} failed login for {who} in the last minute",
            "{n} failed logins for {who} in the last minute",
            f.count,
        ).format(n=f.count, who=who)
        addresses = ngettext("from {n} address", "from {n} addresses", f.addresses).format(n=f.addresses)
        lines.append(f"{logins} {addresses}")
    return lines


def failed_logins(session: Session) -> None:
    """The control desk's warning about password guessing, with an unlock per account."""
    try:
        found = service().logins.failed_logins(session.token)
    except StagescoreError:
        return  # the desk's own banner says when the database is away
    for f, line in zip(found, failed_login_lines(found), strict=True):
        c1, c2 = st.columns([4, 1])
        c1.warning(widgets.text(line), icon=":material/lock:")
        if c2.button(
            _("Unlock"), key=f"unlock-{f.email}", help=_("Clear the throttle of whoever failed on it")
        ):
            _guarded(
                functools.partial(service().logins.unlock, session.token, f.email),
                _("Unlocked {email}.").format(email=f.email),
            )
            st.rerun()


def _device_row(session: Session, email: str, d: Device, now: float) -> None:
    c1, c2 = st.columns([4, 1])
    state = _("present") if d.present else _("away")
    seen = _("first seen {first} · last seen {last}").format(
        first=_ago(now - d.first_seen), last=_ago(now - d.last_seen)
    )
    c1.write(f"{widgets.text(_(d.browser))} · {state} · {seen}")  # "Unknown browser", else as the agent says
    if c2.button(_("End"), key=f"end-{d.session_id}", help=_("Log this device out now")):
        _guarded(
            functools.partial(service().logins.end_device, session.token, email, d.session_id),
            _("Logged out."),
        )
        st.rerun()


def judge_logins(session: Session) -> None:
    """Per judge: "Show login QR" (a one-time link, 15 minutes) and the devices logged in."""
    st.header(_("Judges' phones"))
    st.caption(
        _(
            "A login QR code logs a judge in on the phone that scans it: one use, valid 15 minutes. "
            "Using it logs the judge out of every other device (a device swap)."
        )
    )
    svc, now = service(), time.time()
    for judge in svc.store.accounts.list(Role.JUDGE):
        if not judge.active:
            continue
        key = f"qr-{judge.email}"
        # An address in an expander's label would become a mailto link inside its button (nested controls).
        with st.expander(f"{widgets.text(judge.name)} ({widgets.code(judge.email)})"):
            if st.button(_("Show login QR"), key=f"show-{key}"):
                _guarded(functools.partial(_new_link, session, judge.email, key))
            shown = st.session_state.get(key)
            if shown and shown[1] > now:
                st.image(
                    qr.png(shown[0]),
                    width=260,
                    caption=_("Login for {name}: scan with the phone").format(name=judge.name),
                    alt=_("Login for {name}: scan with the phone").format(name=judge.name),
                )
                st.code(shown[0], language=None)
                st.caption(_("Valid until {time}, for one use.").format(time=i18n.clock(shown[1])))
            listed = svc.logins.devices(session.token, judge.email)
            if not listed:
                st.caption(_("No device is logged in."))
            for d in listed:
                _device_row(session, judge.email, d, now)


def _new_link(session: Session, email: str, key: str) -> None:
    """A fresh link, kept in this tab's session state until it expires (the code is in server memory only)."""
    code = service().logins.issue_link(session.token, email)
    st.session_state[key] = (qr.link_url(app_url(), code), devices.link_expiry(time.time()))
