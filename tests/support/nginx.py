"""The shipped nginx site (deploy/nginx/stagescore.conf) adapted to a test: only its ports and paths
change (loopback listen ports, the test's upstream servers, a self-signed certificate in a temp dir).
Each adaptation must match, so a change to the shipped file that the test would silently miss fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from engine import localdb
from tests.support.processes import ROOT, spawn

SITE = ROOT / "deploy" / "nginx" / "stagescore.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MISSING = f"{NGINX} is missing: run `make nginx` (apt-get install nginx)."
MIME_TYPES = "/etc/nginx/mime.types"
# Debian's brotli_static module (libnginx-mod-http-brotli-static, `make system`): the site uses it.
BROTLI_STATIC = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"


def missing() -> str | None:
    if not Path(NGINX).exists():
        return MISSING
    if not Path(BROTLI_STATIC).exists():
        return f"{BROTLI_STATIC} is missing: `make system` installs libnginx-mod-http-brotli-static."
    return None


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1/localhost, made with openssl in `directory`."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _sub(pattern: str, repl: str, text: str) -> str:
    out, n = re.subn(pattern, repl, text, flags=re.MULTILINE)
    if not n:
        raise AssertionError(
            f"deploy/nginx/stagescore.conf no longer has {pattern!r}: update tests/support/nginx.py"
        )
    return out


def adapted_site(
    upstreams: Sequence[str],
    https_port: int,
    http_port: int,
    cert: Path,
    key: Path,
    root: Path,
    assets: Path | None = None,
) -> str:
    """`assets`: the folder /static/ is served from (default: this checkout's .assets/current)."""
    text = SITE.read_text()
    text = _sub(r"^\s*listen \[::\]:\d+.*\n", "", text)
    text = _sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", text)
    text = _sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", text)
    servers = "".join(f"    server {u} max_fails=1 fail_timeout=10s;\n" for u in upstreams)
    text = _sub(r"(?:^    server \S+:85\d\d [^\n]*\n)+", servers, text)
    text = _sub(
        r"root /opt/stagescore/\.assets/current;", f"root {assets or ROOT / '.assets' / 'current'};", text
    )
    text = _sub(r"/etc/letsencrypt/live/stagescore\.example\.org/fullchain\.pem", str(cert), text)
    text = _sub(r"/etc/letsencrypt/live/stagescore\.example\.org/privkey\.pem", str(key), text)
    return _sub(r"/var/www/html", str(root), text)


def main_conf(directory: Path, site: str, connections: int = 256) -> Path:
    """An nginx.conf of the test's own (pid, logs and temp files in `directory`) including the site."""
    (directory / "logs").mkdir(exist_ok=True)
    (directory / "site.conf").write_text(site)
    conf = directory / "nginx.conf"
    conf.write_text(
        f"""{"user root;" if os.geteuid() == 0 else ""}
load_module {BROTLI_STATIC};
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/logs/error.log warn;
worker_rlimit_nofile {connections * 2};
events {{ worker_connections {connections}; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log {directory}/logs/access.log;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/site.conf;
}}
"""
    )
    return conf


def check(conf: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on that configuration."""
    return subprocess.run(
        [NGINX, "-t", "-p", str(conf.parent), "-c", str(conf)], capture_output=True, text=True, timeout=30
    )


def start(conf: Path, env: dict[str, str]) -> subprocess.Popen:
    """nginx in the foreground (its own process group, so tests stop it with tests/support/processes.kill)."""
    return spawn(
        [NGINX, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"], env, conf.parent / "nginx.out"
    )


def serve(
    upstreams: Sequence[str],
    directory: Path,
    env: dict[str, str],
    connections: int = 256,
    per_client: int | None = None,
) -> tuple[subprocess.Popen, str]:
    """The shipped site in front of `upstreams` (host:port each) on free loopback ports, its files in
    `directory`; returns (nginx, its https URL). The caller stops it (processes.kill)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(directory)
    https, http = localdb.free_port(), localdb.free_port()
    site = adapted_site(upstreams, https, http, cert, key, directory)
    if per_client is not None:  # a benchmark's crowd all comes from one address
        site = _sub(
            r"limit_conn stagescore_per_client \d+;", f"limit_conn stagescore_per_client {per_client};", site
        )
    conf = main_conf(directory, site, connections)
    return start(conf, env), f"https://127.0.0.1:{https}"
