#!/usr/bin/env bash
# Runs Debian's sqlmap against a running Minxin (`minxin demo`, then `minxin serve` on the
# embedded database in a fresh temporary data directory, on a free loopback port) and fails
# when sqlmap reports any injectable parameter. Part of `make security` (issue 7).
#
# Targets: the login body, petition tracking, list filters, a JSON petition body with custom
# injection markers, and ids in paths, with a bearer token where the route needs one.
#
# The scans count only if sqlmap really tested what it says, so the script also fails when
# - sqlmap does not report a parameter as tested ("… does not seem to be injectable"),
# - the server answered 5xx, or 429 to a value it had not checked already,
# - sqlmap, with the same options and through the same proxy, misses the injection of a
#   control endpoint that is injectable on purpose.
# The server's rate limits (logins, tracking PINs: per account or code and per address) stay
# as they are. sqlmap's requests go through a small proxy that sends each one from a loopback
# address of its own (127.x.y.z), as an attacker with many addresses would, so the limits per
# address never answer. The limits per account and per code key on the username and on the
# tracking code's first 40 characters — all of the code that reaches SQL — so a 429 there
# answers a value already tested, which the check above tells apart. The password and the
# PIN are not scanned: they never reach SQL (each is compared to an argon2id hash in Go), and
# after 5 wrong values their limit answers every request.
#
# Environment: SQLMAP_LEVEL (2), SQLMAP_RISK (1), SQLMAP_TIME_SEC (2), SQLMAP_THREADS (2),
# SQLMAP_EXTRA (more sqlmap options, e.g. "--dbms SQLite": SQLite's own payloads start at
# level 3), KEEP=1 keeps the temporary directory (server log, proxy log, sqlmap's output).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v sqlmap >/dev/null || { echo "security-sqlmap: sqlmap is not installed (apt-get install -y sqlmap)" >&2; exit 2; }
py=/usr/bin/python3
[ -x "$py" ] || py=python3

level=${SQLMAP_LEVEL:-2}
risk=${SQLMAP_RISK:-1}
time_sec=${SQLMAP_TIME_SEC:-2}
threads=${SQLMAP_THREADS:-2}
read -r -a extra <<<"${SQLMAP_EXTRA:-}"

started=$(date +%s)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	if [ "${KEEP:-}" = 1 ]; then echo "security-sqlmap: kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# A forward proxy for sqlmap that sends each request from another loopback address and
# writes one JSON line per request (status, method, target, body) to the file in argv[2].
cat >"$tmp/proxy.py" <<'PY'
import http.client, http.server, itertools, json, socketserver, sys, threading, urllib.parse

counter = itertools.count(1)
log, lock = open(sys.argv[2], "a", encoding="utf-8"), threading.Lock()
HOP = {"proxy-connection", "connection", "keep-alive", "transfer-encoding", "content-length"}

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def relay(self):
        n = next(counter)
        source = "127.%d.%d.%d" % (1 + n // 65024 % 254, n // 254 % 256, 1 + n % 254)
        url = urllib.parse.urlsplit(self.path)
        target = url.path + ("?" + url.query if url.query else "")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        upstream = http.client.HTTPConnection(url.hostname, url.port, timeout=120, source_address=(source, 0))
        try:
            upstream.request(self.command, target, body=body or None, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
        finally:
            upstream.close()
        with lock:
            log.write(json.dumps({"status": answer.status, "method": self.command, "target": target,
                                  "body": body.decode("utf-8", "replace")}, ensure_ascii=False) + "\n")
            log.flush()
        self.send_response(answer.status, answer.reason)
        for k, v in answer.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = relay

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY

# Reads the proxy's log of one scan (stdin) and prints "requests 429s-untested 5xx statuses".
# A 429 is harmless only when the rate limit's key had already been answered without one:
# the limits count by the login's username and by the tracking code as the server reads it
# (trimmed, upper case, its first 40 characters, which is also all that reaches SQL), so such
# a request repeats a value the server has already checked. Any other 429 left a value
# untested.
cat >"$tmp/tally.py" <<'PY'
import collections, json, sys, urllib.parse

def key(r):
    path, _, query = r["target"].partition("?")
    if path.endswith("/auth/login"):
        try:
            return "login", json.loads(r["body"]).get("username")
        except ValueError:
            return None
    if path.endswith("/petitions/track"):
        code = urllib.parse.parse_qs(query).get("code", [""])[0]
        return "track", code.strip().upper()[:40]
    return None

seen, untested, errors, statuses = set(), 0, 0, collections.Counter()
rows = [json.loads(line) for line in sys.stdin if line.strip()]
for r in rows:
    statuses[r["status"]] += 1
    k = key(r)
    if r["status"] == 429:
        if k is None or k not in seen:
            untested += 1
    elif k is not None:
        seen.add(k)
    if r["status"] >= 500:
        errors += 1
shown = " ".join("%d×%d" % (n, s) for s, n in sorted(statuses.items()))
if statuses[429] and not untested:
    shown += ", each 429 a repeat of a value already tested"
print(len(rows), untested, errors, shown)
PY

# The control: an endpoint that is injectable on purpose (SQLite, a string pasted into the
# query). sqlmap must find it through the same proxy with the same options, or the scans
# below could not fail.
cat >"$tmp/vulnerable.py" <<'PY'
import http.server, json, sqlite3, sys, urllib.parse

db = sqlite3.connect(":memory:", check_same_thread=False)
db.execute("CREATE TABLE items (id TEXT, name TEXT)")
db.execute("INSERT INTO items VALUES ('1', 'one'), ('2', 'two')")

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        id = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("id", [""])[0]
        try:
            rows = db.execute("SELECT name FROM items WHERE id = '%s'" % id).fetchall()
            status, body = 200, json.dumps([r[0] for r in rows]).encode()
        except sqlite3.Error:
            status, body = 400, b'{"error": "bad request"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY

echo "security-sqlmap: building minxin"
go build -o "$tmp/minxin" ./backend/cmd/minxin

# The embedded database in a fresh data directory, whatever the environment says.
unset MINXIN_DATABASE_URL MINXIN_DATABASE_URL_FILE MINXIN_JWT_SECRET MINXIN_JWT_SECRET_FILE MINXIN_DATA_KEY MINXIN_DATA_KEY_FILE MINXIN_VAPID_PRIVATE_KEY MINXIN_VAPID_PRIVATE_KEY_FILE
export MINXIN_DATA_DIR="$tmp/data"
port=$(free_port)
export MINXIN_ADDR="127.0.0.1:$port"
base="http://127.0.0.1:$port"
"$tmp/minxin" demo >"$tmp/demo.txt"
"$tmp/minxin" serve 2>"$tmp/server.log" &
pids+=($!)
for _ in $(seq 1 100); do
	curl -fsS "$base/readyz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fsS "$base/readyz" >/dev/null

proxy_port=$(free_port)
"$py" "$tmp/proxy.py" "$proxy_port" "$tmp/proxy.log" &
pids+=($!)
for _ in $(seq 1 50); do
	curl -fsS -x "http://127.0.0.1:$proxy_port" "$base/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done

# json FILTER: reads JSON on stdin and prints the Python expression FILTER of it (as `d`).
json() { "$py" -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
password=minxin-demo-2026
token() {
	curl -fsS -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$password\"}" "$base/api/v1/auth/login" | json 'd["access_token"]'
}
admin=$(token admin)
officer=$(token qs-xinfang)
township=$(curl -fsS -H "Authorization: Bearer $officer" "$base/api/v1/me" | json 'd["township_id"]')
village=$(curl -fsS -H "Authorization: Bearer $officer" "$base/api/v1/villages?limit=1" | json 'd["items"][0]["id"]')
household=$(curl -fsS -H "Authorization: Bearer $officer" "$base/api/v1/households?limit=1" | json 'd["items"][0]["id"]')
petition_body="{\"channel\":\"letter\",\"township_id\":\"$township\",\"category\":\"land\",\"subject\":\"宅基地补偿\",\"text\":\"补偿款没有发放。\",\"petitioner\":{\"name\":\"张三\",\"phone\":\"13800001111\"}}"
petition=$(curl -fsS -H "Authorization: Bearer $officer" -H 'Content-Type: application/json' -d "$petition_body" "$base/api/v1/petitions")
petition_id=$(echo "$petition" | json 'd["id"]')
code=$(echo "$petition" | json 'd["tracking_code"]')
pin=$(echo "$petition" | json 'd["pin"]')
touch "$tmp/proxy.log"

# What sqlmap prints when it finds something (a heuristic "might be injectable" included).
found="identified the following injection point|parameter '[^']*' is vulnerable|appears to be '[^']*' injectable|is '[^']*' injectable|might be injectable"
sqlmap_run() {
	sqlmap --batch --disable-coloring --level "$level" --risk "$risk" --time-sec "$time_sec" --threads "$threads" \
		--output-dir "$tmp/sqlmap" --proxy "http://127.0.0.1:$proxy_port" --skip-waf "${extra[@]}" "$@"
}

failed=0
summary=()
# scan NAME PARAMETER… -- SQLMAP-ARGUMENT…: runs sqlmap on one target. Each PARAMETER is a
# name sqlmap must report as tested and not injectable ("GET parameter 'state'", "(custom)
# POST parameter 'JSON #1*'"): a parameter it skipped or could not finish fails the scan.
scan() {
	local name=$1
	shift
	local want=()
	while [ "$1" != -- ]; do
		want+=("$1")
		shift
	done
	shift
	local out="$tmp/sqlmap-$name.txt" t0 from
	t0=$(date +%s)
	from=$(wc -l <"$tmp/proxy.log")
	sqlmap_run "$@" >"$out" 2>&1 || true
	local seconds=$(($(date +%s) - t0)) verdict=clean missing=() requests untested errors statuses
	read -r requests untested errors statuses < <(tail -n +"$((from + 1))" "$tmp/proxy.log" | "$py" "$tmp/tally.py")
	if grep -Eiq "$found" "$out"; then
		verdict=INJECTABLE
	fi
	for p in "${want[@]}"; do
		grep -Fq "parameter '$p' does not seem to be injectable" "$out" || missing+=("$p")
	done
	if [ "$verdict" = clean ] && [ ${#missing[@]} -gt 0 ]; then
		verdict="NOT TESTED (${missing[*]})"
	fi
	if [ "$verdict" = clean ] && [ "$untested" -gt 0 ]; then
		verdict="RATE LIMITED ($untested requests)"
	fi
	if [ "$verdict" = clean ] && [ "$errors" -gt 0 ]; then
		verdict="SERVER ERRORS ($errors)"
	fi
	summary+=("$(printf '%-16s %-7s %4s s %5s requests (%s)  %s' "$name" "$verdict" "$seconds" "$requests" "$statuses" "${want[*]}")")
	if [ "$verdict" != clean ]; then
		failed=1
		echo "security-sqlmap: $name: $verdict" >&2
		grep -Ei "injectable|injection point|vulnerable|CRITICAL|ERROR" "$out" >&2 || tail -20 "$out" >&2
	fi
}

control_port=$(free_port)
"$py" "$tmp/vulnerable.py" "$control_port" &
pids+=($!)
for _ in $(seq 1 50); do
	curl -fsS "http://127.0.0.1:$control_port/items?id=1" >/dev/null 2>&1 && break
	sleep 0.1
done
t0=$(date +%s)
sqlmap_run -u "http://127.0.0.1:$control_port/items?id=1" -p id >"$tmp/sqlmap-control.txt" 2>&1 || true
if grep -Eiq "$found" "$tmp/sqlmap-control.txt"; then
	summary+=("$(printf '%-16s %-7s %4s s  %s' control found "$(($(date +%s) - t0))" "an endpoint injectable on purpose: sqlmap must find it, and does")")
else
	failed=1
	summary+=("$(printf '%-16s %-7s %4s s  %s' control MISSED "$(($(date +%s) - t0))" "sqlmap did not find the injection it must find: these scans could not fail")")
	tail -20 "$tmp/sqlmap-control.txt" >&2
fi

auth=(-H "Authorization: Bearer $admin")
officer_auth=(-H "Authorization: Bearer $officer")
# The login's username (a wrong one is answered 401, which is the answer to compare, not a
# failure of sqlmap's own authentication).
scan login "JSON username" -- -u "$base/api/v1/auth/login" --data '{"username":"admin","password":"'"$password"'"}' -p username --ignore-code 401
# Tracking by code, with the right PIN: the page to compare is the petition.
scan track code -- -u "$base/api/v1/petitions/track?code=$code&pin=$pin" -p code
# List filters.
scan petition-list state township_id -- -u "$base/api/v1/petitions?state=submitted&township_id=$township" "${auth[@]}" -p state,township_id
scan household-list village_id -- -u "$base/api/v1/households?village_id=$village" "${auth[@]}" -p village_id
# A petition's JSON body, with custom injection markers in its free text.
marked=${petition_body/宅基地补偿/宅基地补偿*}
marked=${marked/补偿款没有发放。/补偿款没有发放。*}
marked=${marked/张三/张三*}
scan petition-body "JSON #1*" "JSON #2*" "JSON #3*" -- -u "$base/api/v1/petitions" "${officer_auth[@]}" --data "$marked"
# Ids in paths.
scan petition-id "#1*" -- -u "$base/api/v1/petitions/$petition_id*" "${auth[@]}"
scan household-id "#1*" -- -u "$base/api/v1/households/$household*" "${auth[@]}"

echo
echo "security-sqlmap: sqlmap $(sqlmap --version 2>/dev/null | head -1), level $level, risk $risk, time-sec $time_sec, $threads threads, against minxin serve (embedded SQLite)"
printf '%s\n' "${summary[@]}"
echo "security-sqlmap: $(($(date +%s) - started)) s in all"
if [ "$failed" != 0 ]; then
	echo "security-sqlmap: FAILED" >&2
fi
exit $failed
