#!/bin/sh
# `shelfready eol update` against a real HTTP(S) server on loopback
# (tests/tools/httpd.py): data is written atomically into the cache and then
# judged with; a second update is conditional and changes nothing; a server
# that errors, hangs, stalls or serves garbage changes nothing either; TLS is
# verified.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
SR=${SHELFREADY:-$SR_ROOT/build/shelfready}
DATA=$SR_ROOT/data/eol
WWW=$SR_TMP/www
CACHE=$SR_TMP/cache
RULES=$SR_TMP/rules.json
REQS=$SR_TMP/requests.log

# serve NAME [--tls CERT KEY]: serve the files in $WWW; its port in $SR_TMP/NAME.port
serve() {
    _n=$1
    shift
    http_serve "$_n" "$WWW" --log "$REQS" --rules "$RULES" "$@"
}
# requests PATH STATUS: how many requests for PATH were answered with STATUS
requests() { grep -c "\"path\": \"$1\".*\"status\": $2" "$REQS"; }
# the cached data, and the records of the products that fail below (a 304
# for another product rightly rewrites its own record)
digest() { cat "$CACHE"/*.json "$CACHE/debian.meta" "$CACHE/php.meta" 2>/dev/null | sha256sum; }

mkdir -p "$WWW"
cp "$DATA"/*.json "$WWW"/
rm "$WWW/alibaba-cloud-linux.json"      # not on the live API either
echo '{}' >"$RULES"
serve plain
BASE=http://127.0.0.1:$(cat "$SR_TMP/plain.port")
NPRODUCTS=$(ls "$DATA"/*.json | wc -l)

# 1. every product is fetched; the one the server lacks keeps its bundled data
run 0 "$SR" eol update --eol-cache "$CACHE" --base-url "$BASE"
check_eq "products fetched" $((NPRODUCTS - 1)) "$(grep -c ' updated, ' "$SR_TMP/out")"
check -m "a product the server lacks is said to stay bundled" \
    grep -q '^alibaba-cloud-linux .*not on the server (404); the bundled data stays' "$SR_TMP/out"
check -m "the cached debian data is the served file, byte for byte" cmp "$WWW/debian.json" "$CACHE/debian.json"
check -m "the meta file records the ETag" grep -q '"etag":' "$CACHE/debian.meta"
check -m "the request says who asks" grep -q '"user_agent": "shelfready/' "$REQS"
check_eq "no temporary files are left" "" "$(cd "$CACHE" && ls -A | grep -v '\.json$' | grep -v '\.meta$')"
run 0 "$SR" eol list --eol-cache "$CACHE"
check -m "list names the cached file as the origin" grep -q "^debian .*$CACHE/debian.json" "$SR_TMP/out"
check -m "list keeps the bundled origin where nothing was fetched" \
    grep -q '^alibaba-cloud-linux .*bundled endoflife.date snapshot' "$SR_TMP/out"

# 2. a second update is conditional: every request carries If-None-Match, nothing changes
before=$(cat "$CACHE"/*.json | sha256sum)
run 0 "$SR" eol update --eol-cache "$CACHE" --base-url "$BASE"
check_eq "every product is unchanged" $((NPRODUCTS - 1)) "$(grep -c ' not modified$' "$SR_TMP/out")"
check_eq "the server answered 304 for debian" 1 "$(requests /debian.json 304)"
check -m "the second request carried the ETag" \
    grep -q '"path": "/debian.json", "if_none_match": "\\"' "$REQS"
check_eq "the cached data did not change" "$before" "$(cat "$CACHE"/*.json | sha256sum)"
cmp -s "$WWW/debian.json" "$CACHE/debian.json" && pass "debian.json is untouched" ||
    fail "debian.json changed after a 304"

# 3. new data on the server is fetched and judged with: Debian 12 without
# extended support ends, and the check names the cached file
"$SR" facts --transcript "$SR_ROOT/tests/data/transcripts/debian-12.txt" >"$SR_TMP/d12.json"
cat >"$SR_TMP/os.yaml" <<'EOF'
name: os-only
verify:
  - id: os
    type: os-maintained
    title: the release is maintained
    severity: high
    ref: "1.1-4"
EOF
run 0 "$SR" verify -p "$SR_TMP/os.yaml" --facts "$SR_TMP/d12.json" --eol-cache "$CACHE" \
    --as-of 2026-11-28 --report "json=$SR_TMP/before.json"
python3 - "$WWW/debian.json" <<'EOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
for c in d:
    if c["cycle"] == "12":
        c["eol"] = "2026-01-01"
        c["extendedSupport"] = "2026-02-01"
json.dump(d, open(p, "w"), indent=1)
EOF
run 0 "$SR" eol update --eol-cache "$CACHE" --base-url "$BASE" debian ubuntu
check -m "the changed product is updated" grep -q '^debian .* updated, ' "$SR_TMP/out"
check -m "the unchanged one is not" grep -q '^ubuntu .* not modified' "$SR_TMP/out"
check -m "the new data is in the cache" cmp "$WWW/debian.json" "$CACHE/debian.json"
run 1 "$SR" verify -p "$SR_TMP/os.yaml" --facts "$SR_TMP/d12.json" --eol-cache "$CACHE" \
    --as-of 2026-11-28 --report "json=$SR_TMP/after.json"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["checks"][0]; print(c["status"]); print("\n".join(c["evidence"]))' \
    "$SR_TMP/after.json" >"$SR_TMP/after.txt"
check_eq "the os check fails with the refreshed data" fail "$(head -1 "$SR_TMP/after.txt")"
check -m "its evidence names the cached file" grep -q "data: $CACHE/debian.json" "$SR_TMP/after.txt"
run 0 "$SR" verify -p "$SR_TMP/os.yaml" --facts "$SR_TMP/d12.json" --eol-cache "$SR_TMP/none" \
    --as-of 2026-11-28
pass "without the cache the bundled data still passes Debian 12"
# XDG_CACHE_HOME is the default cache
mkdir -p "$SR_TMP/xdg/shelfready"
cp -r "$CACHE" "$SR_TMP/xdg/shelfready/eol"
XDG_CACHE_HOME=$SR_TMP/xdg run 1 "$SR" verify -p "$SR_TMP/os.yaml" --facts "$SR_TMP/d12.json" \
    --as-of 2026-11-28

# 4. a server error, garbage and an empty list leave the cache as it was
before=$(digest)
echo '{"/debian.json": {"status": 500}}' >"$RULES"
run 3 "$SR" eol update --eol-cache "$CACHE" --base-url "$BASE" --retries 1 debian ubuntu
check -m "the failed product is named with the status" \
    grep -q "^debian .*failed: .*HTTP 500 (2 attempts)" "$SR_TMP/out"
err_has "1 of 2 products could not be refreshed" "the summary counts the failure"
check_eq "a transient error is retried once" 2 "$(requests /debian.json 500)"
check -m "the other product still went through" grep -q '^ubuntu .* not modified' "$SR_TMP/out"
echo '{}' >"$RULES"
printf '[{"cycle": "12", "eol": "soon"' >"$WWW/debian.json"
run 3 "$SR" eol update --eol-cache "$CACHE" --base-url "$BASE" debian
check -m "truncated JSON is rejected" grep -q '^debian .*failed: rejected: .*not valid JSON' "$SR_TMP/out"
echo '[]' >"$WWW/debian.json"
run 3 "$SR" eol update --eol-cache "$CACHE" --base-url "$BASE" debian
check -m "an empty list is rejected" grep -q '^debian .*failed: rejected: .*lists no release cycles' "$SR_TMP/out"
check_eq "nothing in the cache changed" "$before" "$(digest)"
check_eq "no temporary files are left" "" "$(cd "$CACHE" && ls -A | grep -v '\.json$' | grep -v '\.meta$')"

# 5. a server that hangs, or stalls mid-body, is cut off by the timeout
cp "$DATA/debian.json" "$WWW/debian.json"
echo '{"/debian.json": {"hang": true}, "/php.json": {"stall_after": 10}}' >"$RULES"
rm -f "$CACHE/php.meta"       # an unconditional request, so that the body is sent
before=$(digest)
run 3 "$SR" eol update --eol-cache "$CACHE" --base-url "$BASE" --timeout 2 --retries 0 debian php
check -m "the hanging server times out" grep -q '^debian .*failed: .*timed out after' "$SR_TMP/out"
check -m "the stalled body times out" grep -q '^php .*failed: .*timed out after .* 10 out of' "$SR_TMP/out"
if [ "$ELAPSED" -lt 8000 ]; then pass "both were cut off in ${ELAPSED} ms (limit 2 s each)"; else
    fail "the timeouts took ${ELAPSED} ms"; fi
check_eq "nothing in the cache changed" "$before" "$(digest)"
echo '{}' >"$RULES"

# 6. HTTPS: an unknown CA is refused; trusting it by --ca-file works
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$SR_TMP/key.pem" -out "$SR_TMP/cert.pem" 2>&1
serve tls --tls "$SR_TMP/cert.pem" "$SR_TMP/key.pem"
TLS=https://127.0.0.1:$(cat "$SR_TMP/tls.port")
run 3 "$SR" eol update --eol-cache "$SR_TMP/cache-tls" --base-url "$TLS" --retries 0 debian
check -m "an untrusted certificate is refused" grep -qi '^debian .*failed: .*certificate' "$SR_TMP/out"
check_eq "nothing was cached" "" "$(ls -A "$SR_TMP/cache-tls" | grep '\.json$')"
run 0 "$SR" eol update --eol-cache "$SR_TMP/cache-tls" --base-url "$TLS" --ca-file "$SR_TMP/cert.pem" debian
check -m "with its CA trusted the data is fetched" cmp "$DATA/debian.json" "$SR_TMP/cache-tls/debian.json"

# 7. bad input changes nothing
run 2 "$SR" eol update --eol-cache "$CACHE" --base-url "$BASE" ../etc/passwd
err_has "unknown end-of-life product '../etc/passwd'" "a product outside the data is refused"
run 2 "$SR" eol update --eol-cache "$CACHE" --timeout 0
err_has "--timeout expects a number" "a bad timeout is refused"
run 2 "$SR" eol frobnicate
finish
