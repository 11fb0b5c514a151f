#!/usr/bin/env bash
# Build the wheel, install it in a fresh virtual environment outside the checkout and run
# it from there, with no CM_ADVISOR_* variable set and another working directory:
#   - `cm-advisor check` validates the catalogue shipped inside the wheel;
#   - `cm-advisor db upgrade` takes a revision-0001 database (made with the wheel's own
#     migrations) to the head revision through Alembic;
#   - `cm-advisor serve` answers /healthz, a page (templates) and the stylesheet (static).
# Everything it makes lives in one temporary directory, removed on exit.
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/cm-wheel-XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
for name in $(compgen -e | grep '^CM_ADVISOR_' || true); do unset "$name"; done

"$python" -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" "$checkout"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/cm_advisor-*.whl
bin="$work/venv/bin"
cd "$work"

echo "wheel: cm-advisor check"
out=$("$bin/cm-advisor" check)
echo "$out"
case "$out" in
  "ok: $work/venv/lib/"*/site-packages/cm_advisor/data/models.yaml*) ;;
  *) echo "error: the catalogue checked is not the one inside the installed wheel" >&2; exit 1 ;;
esac

echo "wheel: cm-advisor db upgrade of a revision-0001 database"
database="$work/old.sqlite3"
"$bin/python" - "$database" <<'PY'
import sys
from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

engine = create_engine(f"sqlite:///{sys.argv[1]}")
config = Config()
config.set_main_option("script_location", str(files("cm_advisor") / "storage" / "migrations"))
with engine.begin() as conn:
    config.attributes["connection"] = conn
    command.upgrade(config, "0001")
PY
CM_ADVISOR_DATABASE_URL="sqlite:///$database" "$bin/cm-advisor" db upgrade
"$bin/python" - "$database" <<'PY'
import sqlite3
import sys
from importlib.resources import files

from alembic.script import ScriptDirectory

head = ScriptDirectory(str(files("cm_advisor") / "storage" / "migrations")).get_current_head()
with sqlite3.connect(sys.argv[1]) as conn:
    (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
assert version == head, f"database at {version}, migrations' head is {head}"
print(f"ok: upgraded from 0001 to {head}")
PY

echo "wheel: cm-advisor serve"
port=$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/cm-advisor" serve --host 127.0.0.1 --port "$port" >"$work/serve.log" 2>&1 &
server=$!
"$bin/python" - "http://127.0.0.1:$port" <<'PY' || { cat "$work/serve.log" >&2; exit 1; }
import json
import sys
import time
import urllib.request
from urllib.error import URLError

base = sys.argv[1]
for _ in range(300):  # up to about 30 s
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
            status, body = response.status, json.load(response)
        break
    except (URLError, ConnectionError):
        time.sleep(0.1)
else:
    sys.exit(f"no answer from {base}/healthz")
assert status == 200 and body["status"] == "ok" and body["database"] == "ok", body
for path in ("/assess", "/static/css/app.css"):
    with urllib.request.urlopen(f"{base}{path}", timeout=5) as response:
        assert response.status == 200, (path, response.status)
print(f"ok: /healthz answered 200 {body}")
PY
test -f "$work/venv/var/cm-advisor/cm-advisor.sqlite3" || {
  echo "error: the server kept no database in the environment's var/cm-advisor" >&2
  exit 1
}
kill "$server"
wait "$server" || true
server=""
echo "ok: the wheel installs and runs outside the checkout"
