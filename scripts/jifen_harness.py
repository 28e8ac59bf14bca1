"""What `scripts/crash-trials` and `scripts/soak` share: the release server as a child process
(started, SIGKILLed, restarted), a fresh database (a SQLite file, or a PostgreSQL schema as
`.ci/run` makes one), an HTTP client over a kept-alive connection, and a synthetic 济宁 world
made through the API (institutions, rosters) with valid GB 11643 ID numbers.

Python 3 standard library only. Nothing here prints personal data: the names and ID numbers
are synthetic and never logged.
"""

import datetime
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
TOKEN = "harness-" + "".join(random.choice("0123456789abcdef") for _ in range(32))
REGION = "370811"
YEAR = 2025


def binary():
    if os.environ.get("JIFEN_BINARY"):  # another build of jifen (a debug one, by hand)
        return os.environ["JIFEN_BINARY"]
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    path = os.path.join(target, "release", "jifen")
    if not os.path.exists(path):
        raise SystemExit(f"no release binary at {path}: run `cargo build --release` first")
    return path


# ---------- identifiers (GB 11643, data/code_formats.toml) ----------
_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHK = "10X98765432"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def id_number(serial):
    """A valid 18-digit ID number, unique per serial (< 10⁷): the birth date walks from 1970."""
    birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=serial // 1000)
    body = f"{REGION}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + _CHK[sum(int(c) * w for c, w in zip(body, _W)) % 11]


def person_code(serial):
    return f"D{REGION}{serial:06d}"


def person_name(serial):
    return _SURNAMES[serial % 20] + _GIVEN[(serial // 20) % 20] + _GIVEN[(serial // 400) % 20]


def institution_code(n):
    return f"H{REGION}{n:05d}"


def roster_csv(serials, registered_on="2023-01-01"):
    lines = ["姓名,身份证号码,医保支付资格类别,医保对应代码,注册时间"]
    for s in serials:
        lines.append(f"{person_name(s)},{id_number(s)},医保医师,{person_code(s)},{registered_on}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------- databases ----------
def pg_base():
    return os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")


def psql(sql):
    env = dict(os.environ, PGOPTIONS="--client-min-messages=warning")
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", pg_base(), "-c", sql], check=True, env=env,
                   stdout=subprocess.DEVNULL)


class Database:
    """A fresh, empty database: a SQLite file in `workdir`, or a PostgreSQL schema."""

    _n = 0

    def __init__(self, kind, workdir, label):
        Database._n += 1
        self.kind = kind
        if kind == "sqlite":
            self.path = os.path.join(workdir, f"{label}-{Database._n}.db")
            self.url = self.path
            self.schema = None
        else:
            self.schema = f"rel_{os.getpid()}_{Database._n}_{label}".replace("-", "_")
            psql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE; CREATE SCHEMA {self.schema}")
            base = pg_base()
            sep = "&" if "?" in base else "?"
            self.url = f"{base}{sep}options=-csearch_path%3D{self.schema}"

    def verify(self):
        """`jifen verify` on the database; (passed, its output)."""
        out = subprocess.run([binary(), "verify", "--database-url", self.url], capture_output=True, text=True,
                             env=dict(os.environ, JIFEN_ADMIN_TOKEN=TOKEN, RUST_LOG="warn"))
        return out.returncode == 0, (out.stdout + out.stderr).strip()

    def drop(self):
        if self.schema:
            psql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        else:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.remove(self.path + suffix)
                except FileNotFoundError:
                    pass


# ---------- the server ----------
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """`jifen serve` on `db`, its log appended to `workdir/server.log`."""

    def __init__(self, db, workdir):
        self.db = db
        self.workdir = workdir
        self.proc = None
        self.port = None

    def start(self, timeout=180):
        self.port = free_port()
        env = dict(os.environ, JIFEN_ADMIN_TOKEN=TOKEN, RUST_LOG="warn")
        log = open(os.path.join(self.workdir, "server.log"), "ab")
        self.proc = subprocess.Popen(
            [binary(), "serve", "--bind", f"127.0.0.1:{self.port}", "--database-url", self.db.url],
            cwd=self.workdir, env=env, stdout=log, stderr=log)
        log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}: see {self.workdir}/server.log")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/api/v1/healthz")
                if c.getresponse().status == 200:
                    c.close()
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not answer /healthz")

    def kill(self):
        """SIGKILL: no shutdown, no flush; the operating system's page cache survives."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def client(self, timeout=600):
        return Client(self.port, timeout)


# ---------- HTTP ----------
class NoAnswer(Exception):
    """The connection failed or closed before an answer: the request is unanswered."""


class Client:
    """One kept-alive connection (use one per thread). `call` returns (status, JSON or text)."""

    def __init__(self, port, timeout=600, token=TOKEN):
        self.port = port
        self.timeout = timeout
        self.token = token
        self.conn = None
        self.cookies = {}
        self.last_used = 0.0

    def _connection(self):
        # actix-web closes a kept-alive connection after 5 s idle; a request sent as it closes
        # gets no answer although the server never saw it. Reconnect before that.
        if self.conn is not None and time.time() - self.last_used > 3.0:
            self.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, method, path, body=None, raw=None, ctype=None, headers=None, api=True, auth=True):
        h = {}
        if auth and self.token:
            h["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if raw is not None:
            data = raw
            h["Content-Type"] = ctype or "text/csv"
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        url = ("/api/v1" if api else "") + path
        try:
            c = self._connection()
            c.request(method, url, body=data, headers=h)
            r = c.getresponse()
            text = r.read()
            self.last_used = time.time()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            raise NoAnswer(str(e)) from e
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if value:
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
        if r.getheader("Connection", "").lower() == "close":
            self.close()
        ctype_out = r.getheader("Content-Type", "")
        if "json" in ctype_out:
            try:
                return r.status, json.loads(text)
            except ValueError:
                pass
        return r.status, text.decode("utf-8", "replace")

    def ok(self, method, path, want=(200, 201), **kw):
        status, out = self.call(method, path, **kw)
        if status not in want:
            raise RuntimeError(f"{method} {path}: HTTP {status}: {str(out)[:400]}")
        return out

    def login(self, username, password):
        """The web pages' login (src/web/login.rs): its form's CSRF token is a double-submit cookie."""
        import re
        status, page = self.call("GET", "/login", api=False, auth=False)
        m = re.search(r'name="csrf_token"\s+value="([^"]+)"', page if isinstance(page, str) else "")
        if status != 200 or not m:
            raise RuntimeError(f"GET /login: {status}")
        form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": m.group(1),
                                       "next": "/"}).encode()
        status, _ = self.call("POST", "/login", raw=form, ctype="application/x-www-form-urlencoded", api=False,
                              auth=False)
        if status not in (302, 303) or not any("session" in k for k in self.cookies):
            raise RuntimeError(f"POST /login: {status}")


# ---------- the world ----------
def create_institution(client, code):
    client.ok("POST", "/institutions", body={
        "code": code, "name": f"测试医院{code[-5:]}", "kind": "medical", "region_code": REGION,
        "agreement_start": "2023-01-01", "agreement_end": "2030-12-31"})


def commit_roster(client, institution, serials):
    r = client.ok("POST", f"/rosters/{institution}?commit=true", raw=roster_csv(serials))
    if not r.get("committed") or r["counts"]["added"] != len(serials):
        raise RuntimeError(f"roster of {institution} not committed: {r.get('counts')}")
    return r


def percentile(values, q):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q / 100.0 * (len(v) - 1))))]


def workdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)
