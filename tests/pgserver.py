"""A throw-away local PostgreSQL server for the tests.

`postgres_server()` creates a brand-new cluster in a temp dir with Debian's server binaries
(`make postgresql` installs them), starts it on a free port on 127.0.0.1, creates the database
`interbudget`, yields its URL and on exit stops the server and removes the dir. The cluster trusts
every local connection and runs without fsync: it is for tests only.

initdb, pg_ctl and postgres refuse to run as root, so as root (CI) they run as the `postgres`
system user that Debian's package creates (or a system user `interbudget-pg` made here), through
`runuser`.
"""
from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_ROOT = Path("/usr/lib/postgresql")
USER = "interbudget"
DATABASE = "interbudget"
FALLBACK_OS_USER = "interbudget-pg"


class PostgresNotInstalled(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name)) or (0,)


def find_bindir() -> Path:
    """The newest /usr/lib/postgresql/*/bin holding initdb, pg_ctl and postgres."""
    candidates = [b for b in PG_ROOT.glob("*/bin")
                  if all(os.access(b / exe, os.X_OK) for exe in ("initdb", "pg_ctl", "postgres"))]
    if not candidates:
        raise PostgresNotInstalled(
            f"no PostgreSQL server binaries under {PG_ROOT}/*/bin (initdb, pg_ctl, postgres): "
            "run `make postgresql` (as root) to install Debian's PostgreSQL server")
    return max(candidates, key=_version_key)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _os_user() -> pwd.struct_passwd | None:
    """The unprivileged user the server runs as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", FALLBACK_OS_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    FALLBACK_OS_USER], check=True, capture_output=True, text=True)
    return pwd.getpwnam(FALLBACK_OS_USER)


def _env() -> dict[str, str]:
    # no PGDATA/PGPORT/PGHOST... from the caller's environment leaks into the throw-away cluster
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _run(cmd: list[str], user: pwd.struct_passwd | None, cwd: Path, what: str,
         log: Path | None = None) -> subprocess.CompletedProcess:
    if user is not None:
        cmd = ["runuser", "-u", user.pw_name, "--", *cmd]
    proc = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        detail = (proc.stdout + proc.stderr).strip()
        if log is not None and log.exists():
            detail += f"\n--- server log {log} ---\n" + log.read_text(errors="replace").strip()
        raise RuntimeError(f"{what} failed (exit {proc.returncode}): {shlex.join(cmd)}\n{detail}")
    return proc


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield `postgresql://interbudget@127.0.0.1:PORT/interbudget` for a fresh throw-away cluster."""
    import psycopg

    bindir = find_bindir()
    user = _os_user()
    base = Path(tempfile.mkdtemp(prefix="interbudget-pg-"))
    try:
        base.chmod(0o755)  # mkdtemp makes it 0700; the server's user must be able to enter it
        if user is not None:
            os.chown(base, user.pw_uid, user.pw_gid)
        data, log = base / "data", base / "server.log"
        _run([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER, "--no-sync",
              "-E", "UTF8", "--locale=C"], user, base, "initdb")
        started = False
        last_error: RuntimeError | None = None
        for _ in range(3):  # the free port may be taken between our probe and the server's bind
            port = _free_port()
            opts = (f"-p {port} -k {shlex.quote(str(base))} -c listen_addresses=127.0.0.1 "
                    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            try:
                _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                      "-o", opts, "start"], user, base, "pg_ctl start", log=log)
                started = True
                break
            except RuntimeError as exc:
                last_error = exc
                if "already in use" not in (log.read_text(errors="replace") if log.exists() else ""):
                    raise
                log.unlink()
        if not started:
            assert last_error is not None
            raise last_error
        stop = [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
        try:
            with psycopg.connect(host="127.0.0.1", port=port, user=USER, dbname="postgres",
                                 autocommit=True, connect_timeout=10) as conn:
                conn.execute(f"CREATE DATABASE {DATABASE}")
            yield f"postgresql://{USER}@127.0.0.1:{port}/{DATABASE}"
        except BaseException:
            try:  # stop it, but let the first error be the one reported
                _run(stop, user, base, "pg_ctl stop", log=log)
            except Exception:  # noqa: BLE001 -- the first error is the one to report
                pass
            raise
        else:
            _run(stop, user, base, "pg_ctl stop", log=log)
    finally:
        shutil.rmtree(base, ignore_errors=True)
