#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster, then throw the cluster away.

    python scripts/with_postgres.py -- .venv/bin/pytest -q

Starts a fresh cluster (initdb into a temporary folder, trust authentication, a free port on
127.0.0.1, its socket inside the data folder, durability switched off because nothing here
needs to survive), creates the database `refdesk`, runs the command with
`DATABASE_URL=postgres://postgres@127.0.0.1:PORT/refdesk`, and always stops the cluster and
removes the folder afterwards: on success, on failure and on Ctrl+C. Exits with the
command's exit code.

initdb refuses to run as root, so as root the cluster runs as the `postgres` user (through
`runuser`); as anyone else it runs as the current user. The superuser role is called
`postgres` either way, so pytest-django may create and drop its test database.

Without PostgreSQL binaries: in CI (CI=true) this is an error (exit 1); locally it says
"skipping PostgreSQL run: ..." and exits 0. PG_BIN=/path/to/bin picks the binaries.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DB_NAME = "refdesk"
SUPERUSER = "postgres"
# autovacuum off: tests run inside transactions they roll back, and a VACUUM that lands mid-test
# records the tables as empty (the open transaction's rows are not visible to it), after which
# the planner picks cartesian nested loops that take minutes on a few hundred rows.
TEST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "autovacuum=off")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def say(message: str) -> None:
    print(f"with_postgres: {message}", file=sys.stderr, flush=True)


class Unavailable(Exception):
    """PostgreSQL cannot be run on this machine (missing binaries or user)."""


def _version_key(path: str) -> tuple:
    parts = Path(path).parent.parent.name.split(".")
    return tuple(int(p) if p.isdigit() else 0 for p in parts)


def find_bindir() -> Path:
    """The folder holding initdb, pg_ctl and createdb."""
    candidates: list[str] = []
    if os.environ.get("PG_BIN"):
        # Asked for explicitly: only there (which also lets tests simulate a missing install).
        folder = Path(os.environ["PG_BIN"])
        if all(os.access(folder / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "createdb")):
            return folder
        raise Unavailable(f"PG_BIN={folder} does not hold initdb, pg_ctl and createdb")
    candidates += [
        str(Path(p).parent)
        for p in sorted(
            glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key, reverse=True
        )
    ]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            candidates.append(
                subprocess.run(
                    [pg_config, "--bindir"], capture_output=True, text=True, check=True
                ).stdout.strip()
            )
        except (OSError, subprocess.CalledProcessError):
            pass
    for folder in candidates:
        if all(
            os.access(Path(folder) / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "createdb")
        ):
            return Path(folder)
    raise Unavailable(
        "no PostgreSQL binaries found (looked for initdb, pg_ctl and createdb in $PG_BIN, /usr/lib/postgresql/*/bin and $PATH); install them with `make system-deps`"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        if self.as_root:
            if shutil.which("runuser") is None:
                raise Unavailable(
                    "running as root, and `runuser` is missing to run PostgreSQL as the postgres user"
                )
            try:
                import pwd

                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable(
                    "running as root, and there is no `postgres` user to run PostgreSQL as (initdb refuses root)"
                ) from None
            self.uid, self.gid = entry.pw_uid, entry.pw_gid
        self.root: Path | None = None
        self.data: Path | None = None
        self.port: int | None = None
        self.started = False

    def _cmd(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bindir / tool), *args]
        return ["runuser", "-u", "postgres", "--", *command] if self.as_root else command

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            self._cmd(tool, *args), capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{tool} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
            )

    @property
    def logfile(self) -> Path:
        assert self.root is not None
        return self.root / "postgres.log"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def create(self) -> None:
        # Under /tmp rather than $TMPDIR when root: the postgres user must be able to reach it.
        parent = "/tmp" if self.as_root else None
        self.root = Path(tempfile.mkdtemp(prefix="refdesk-pg-", dir=parent))
        self.data = self.root / "data"
        if self.as_root:
            os.chown(self.root, self.uid, self.gid)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self, attempts: int = 3) -> None:
        assert self.data is not None
        last_error = ""
        for _ in range(attempts):
            self.port = free_port()
            options = " ".join(
                [
                    "-c listen_addresses=127.0.0.1",
                    f"-p {self.port}",
                    f"-k {self.data}",
                    *(f"-c {setting}" for setting in TEST_SETTINGS),
                ]
            )
            result = subprocess.run(
                self._cmd(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.logfile),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    options,
                    "start",
                ),
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
            )
            if result.returncode == 0:
                self.started = True
                return
            last_error = f"{result.stdout}{result.stderr}\n{self.log_tail()}"
            # The port may have been taken between choosing and binding it: try another one.
            self.stop(quiet=True)
        raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")

    def create_database(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name)

    def url(self, name: str) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{name}"

    def stop(self, quiet: bool = False) -> None:
        if self.data is None or not (self.data / "postmaster.pid").exists():
            self.started = False
            return
        result = subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop"),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if result.returncode != 0 and (self.data / "postmaster.pid").exists():
            if not quiet:
                say(f"pg_ctl stop failed, killing the server: {result.stderr.strip()}")
            self._kill_postmaster()
        self.started = False

    def _kill_postmaster(self) -> None:
        assert self.data is not None
        try:
            pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        for sig, wait in ((signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.1)

    def remove(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None


def run_command(command: list[str], env: dict[str, str]) -> int:
    """Run the command to its end. Ctrl+C reaches it through the terminal's process group, so
    we only wait for it to finish; SIGTERM/SIGHUP sent to us are passed on to it."""
    child = subprocess.Popen(command, env=env)

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, lambda *_: None),
        signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
        signal.SIGHUP: signal.signal(signal.SIGHUP, forward),
    }
    try:
        returncode = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - returncode if returncode < 0 else returncode


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__.strip())
        return 0 if argv else 2

    try:
        bindir = find_bindir()
        cluster = Cluster(bindir)
    except Unavailable as exc:
        if in_ci():
            say(f"error: PostgreSQL is required in CI (CI=true) but {exc}")
            return 1
        say(f"skipping PostgreSQL run: {exc}")
        return 0

    # SIGTERM during setup or teardown becomes an exception, so the finally block still runs.
    def terminate(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, terminate)
    started_at = time.monotonic()
    try:
        cluster.create()
        cluster.start()
        cluster.create_database(DB_NAME)
        url = cluster.url(DB_NAME)
        say(
            f"PostgreSQL {bindir.parent.name} ready in {time.monotonic() - started_at:.1f}s at {url} (data in {cluster.data})"
        )
        env = {**os.environ, "DATABASE_URL": url}
        return run_command(argv, env)
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except (RuntimeError, OSError) as exc:
        say(f"error: {exc}")
        return 1
    finally:
        try:
            cluster.stop()
        except KeyboardInterrupt:
            cluster._kill_postmaster()
        cluster.remove()
        say("PostgreSQL stopped and its folder removed")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
