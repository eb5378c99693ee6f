#!/usr/bin/env bash
# disclose_by_cli.sh: disclosure deadlines. A contract's disclose_by is a
# date, an RFC 3339 time or a rule in words; a malformed date is refused
# (bad_disclose_by, exit 4, nothing appended); once the date passes with a
# commitment withheld, audit reports overdue_disclosure and `contract show`
# marks the contract overdue.
. "$(dirname "$0")/lib.sh"

cd "$T"
"$CLI" init --db l.db --origin test.example/deadline >/dev/null 2>&1 || abort "init"
c='{"commit":"sha256:'$(printf '%064d' 7)'"}'
ct() { printf '{"type":"contract","id":"%s","time":"2025-09-08T10:00:00Z","contract":"%s","parties":["gov"],"text":%s,"disclose_by":"%s"}\n' "$1" "$1" "$c" "$2"; }
ct bad 2025-13-01 >bad.jsonl
expect 4 'disclose_by: "2025-13-01" is not a date' -- "$CLI" submit --db l.db --key l.db.key bad.jsonl
"$CLI" submit --db l.db --key l.db.key --json bad.jsonl >bad.json
pycheck bad.json 'assert d["error"]["code"] == "bad_disclose_by", d'
ct bad2 2025-09-08T10:00 >bad2.jsonl
expect 4 'is not a date' -- "$CLI" submit --db l.db --key l.db.key bad2.jsonl
"$CLI" checkpoint --db l.db | sed -n 2p >size
[ "$(cat size)" = 0 ] && ok || bad "size after refusals: $(cat size)"

{ ct late 2025-12-31; ct rule "on ratification"; ct exact 2026-01-10T12:00:00Z; } >ok.jsonl
expect 0 '^2 contract exact' -- "$CLI" submit --db l.db --key l.db.key ok.jsonl

# 2026-01-01: late is overdue (its date has passed), exact is not yet
"$CLI" audit --db l.db --json --now 2026-01-01T00:00:00Z >a1.json
pycheck a1.json 'f = [x["subject"] for x in d["findings"] if x["kind"] == "overdue_disclosure"]
assert f == ["late"], d'
"$CLI" audit --db l.db --json --now 2025-12-31T23:59:59Z >a0.json
pycheck a0.json 'assert not [x for x in d["findings"] if x["kind"] == "overdue_disclosure"], d'
"$CLI" audit --db l.db --json --now 2026-02-01T00:00:00Z >a2.json
pycheck a2.json 'f = [x for x in d["findings"] if x["kind"] == "overdue_disclosure"]
assert [x["subject"] for x in f] == ["late", "exact"] and "31 days overdue" in f[0]["detail"], d
assert all(x["values"]["disclose_by"] in x["detail"] for x in f), f'

expect 0 'to be disclosed by 2025-12-31: OVERDUE' -- "$CLI" contract show --db l.db --now 2026-01-05 late
expect 0 'to be disclosed by on ratification$' -- "$CLI" contract show --db l.db --now 2026-01-05 rule
"$CLI" contract show --db l.db --json --now 2026-01-05 exact >s.json
pycheck s.json 'assert d["disclose_by"] == "2026-01-10T12:00:00Z" and d["overdue"] is False, d'

# contract list: overdue first (late), then the others by id
expect 0 '' -- "$CLI" contract list --db l.db --now 2026-01-05
"$CLI" contract list --db l.db --now 2026-01-05 >list.txt
[ "$(cut -d' ' -f1 list.txt | tr '\n' ' ')" = "late exact rule " ] && grep -q '^late .*: OVERDUE$' list.txt && ok || bad "contract list order: $(cat list.txt)"
"$CLI" contract list --db l.db --json --now 2026-02-01 >list.json
pycheck list.json 'assert [(c["contract"], c["overdue"]) for c in d["contracts"]] == [("exact", True), ("late", True), ("rule", False)] and d["next"] is None, d'

summary
