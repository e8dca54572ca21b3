#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The man pages build with scdoc, render with no warning from man or groff,
# carry a release date (never the build time), and stay in step with the
# program: every key of the shipped configuration and every key the
# daemon's parser accepts is documented under its section in
# nipcached.conf(5) and nothing else is; the options of nipcached(8) and
# nipcast(1) are exactly those --help prints; nipcast(1) documents exactly
# the keys of the --nip description parser.  No network needed.
. "$NC_SYS/common.sh"

for t in scdoc man groff lexgrog; do
	command -v "$t" >/dev/null 2>&1 || fail "$t is missing (make deps installs it)"
done
PAGES="nipcached.8 nipcached.conf.5 nipcast.1 nipcache-avahi-service.8"
src="$NC_TOP/daemon"

# need FILE MIN WHAT: an extraction that finds fewer than MIN entries means
# the source changed shape under the grep, not that the page is complete.
need() {
	n=$(sort -u "$1" | wc -l)
	[ "$n" -ge "$2" ] || fail "$3: only $n found (at least $2 expected): update the extraction"
	note "$3: $n"
}

# missing A B WHAT: every line of A must be in B.
missing() {
	sort -u "$1" >"$1.s"; sort -u "$2" >"$2.s"
	d=$(comm -23 "$1.s" "$2.s" | tr '\n' ' ')
	[ -z "$d" ] || { echo "FAIL: $3: $d" >&2; bad=1; }
}
bad=0

# --- build: the release date and version; a second build is identical ---
make -s -C "$NC_TOP" BUILD="$NC_TMP/a" man >"$NC_TMP/make.log" 2>&1 ||
	fail "make man: $(tail -n 5 "$NC_TMP/make.log")"
env SOURCE_DATE_EPOCH=86400 make -s -C "$NC_TOP" BUILD="$NC_TMP/b" man \
	>>"$NC_TMP/make.log" 2>&1 || fail "make man with SOURCE_DATE_EPOCH"
make -s -C "$NC_TOP" BUILD="$NC_TMP/c" man >>"$NC_TMP/make.log" 2>&1 || fail "make man again"
version=$(cat "$NC_TOP/VERSION")
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$NC_TOP" log -1 --format=%ct -- VERSION packaging/man 2>/dev/null || true)}
[ -n "$epoch" ] || epoch=$(stat -c %Y "$NC_TOP/VERSION")
want_date=$(date -u -d "@$epoch" +%F)
for p in $PAGES; do
	f="$NC_TMP/a/man/$p"
	[ -s "$f" ] || fail "$p was not built"
	th=$(grep -m 1 '^\.TH ' "$f") || fail "$p: no .TH line"
	name=$(echo "$th" | awk -F'"' '{ print $2 }')
	sect=$(echo "$th" | awk -F'"' '{ print $4 }')
	date=$(echo "$th" | awk -F'"' '{ print $6 }')
	from=$(echo "$th" | awk -F'"' '{ print $8 }')
	[ "$name.$sect" = "$p" ] || fail "$p: .TH names $name($sect)"
	[ "$date" = "$want_date" ] || fail "$p: .TH date $date, expected $want_date (release, not build time)"
	[ "$from" = "nipcache $version" ] || fail "$p: .TH source '$from', expected 'nipcache $version'"
	grep -q '^\.TH "[^"]*" "[^"]*" "1970-01-02" ' "$NC_TMP/b/man/$p" ||
		fail "$p: SOURCE_DATE_EPOCH=86400 did not give the date 1970-01-02"
	cmp -s "$f" "$NC_TMP/c/man/$p" || fail "$p differs between two builds"
done
note "pages dated $want_date, version $version"

# --- render: as lintian runs man, and groff with every warning on ---
for p in $PAGES; do
	f="$NC_TMP/a/man/$p"
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$f" \
		>/dev/null 2>"$NC_TMP/w" || fail "$p: man failed: $(cat "$NC_TMP/w")"
	[ ! -s "$NC_TMP/w" ] || fail "$p: man --warnings: $(head -n 5 "$NC_TMP/w")"
	groff -man -ww -z "$f" 2>"$NC_TMP/w" || fail "$p: groff failed"
	[ ! -s "$NC_TMP/w" ] || fail "$p: groff -ww: $(head -n 5 "$NC_TMP/w")"
	whatis=$(lexgrog "$f" 2>&1) || fail "$p: lexgrog: $whatis"
	case "$whatis" in
	*": \"${p%.*} - "*) ;;
	*) fail "$p: bad whatis entry: $whatis" ;;
	esac
	# Plain text, wide, so that no term line wraps.
	LC_ALL=C.UTF-8 MANWIDTH=200 man -E ascii -l "$f" 2>/dev/null |
		sed 's/.\x08//g' >"$NC_TMP/$p.txt"
	[ -s "$NC_TMP/$p.txt" ] || fail "$p renders empty"
done

# terms PAGE.txt TOP: "SUBSECTION<TAB>TERM" for each term line (indent 7)
# of the top-level section TOP; SUBSECTION is the heading at indent 3.
terms() {
	awk -v want="$2" '
		/^[A-Z]/ { top = $0; sub3 = ""; next }
		top != want { next }
		/^   [^ ]/ { sub3 = substr($0, 4); next }
		/^       [^ ]/ { print sub3 "\t" substr($0, 8) }' "$1"
}

# keys: "SECTION KEY" from term lines "key[, key] = VALUE" under a "[name]..."
# heading (the first bracketed name counts: [tuner], [tuner2] .. is tuner).
keys() {
	awk -F '\t' '$2 ~ /^[a-z][a-z0-9_]*(, [a-z][a-z0-9_]*)* = / {
		s = $1; sub(/^\[/, "", s); sub(/[] ].*$/, "", s)
		t = $2; sub(/ = .*$/, "", t)
		n = split(t, k, ", ")
		for (i = 1; i <= n; i++) print s " " k[i]
	}'
}

# --- nipcached.conf(5) against the shipped file and the parser ---
terms "$NC_TMP/nipcached.conf.5.txt" "SECTIONS AND KEYS" | keys >"$NC_TMP/page.keys"
need "$NC_TMP/page.keys" 60 "keys documented in nipcached.conf(5)"

awk '/^#?\[[a-z0-9]+\][ \t]*$/ { s = $0; gsub(/[#\[\] \t]/, "", s); next }
	match($0, /^#?[ \t]*[a-z][a-z0-9_]*[ \t]*=/) {
		k = substr($0, 1, RLENGTH); gsub(/[# \t=]/, "", k); print s " " k
	}' "$NC_TOP/systemd/nipcached.conf" >"$NC_TMP/shipped.keys"
need "$NC_TMP/shipped.keys" 50 "keys in systemd/nipcached.conf (commented ones too)"

# The parser: the conf_keys table of conf.c, the conf_http_keys table of
# conf_http.c (every key of it is [http]), any key conf.c special-cases outside them, [input]
# keys of conf_input.c and [tuner] keys of tuner_conf.c.
awk '/conf_keys\[\] = \{/ { f = 1; next } f && /^};/ { f = 0 } f' "$src/conf.c" |
	sed -n 's/^[[:space:]]*{ *"\([a-z0-9_]*\)", *"\([a-z0-9_]*\)",.*/\1 \2/p' >"$NC_TMP/p.table"
need "$NC_TMP/p.table" 30 "conf.c conf_keys"
awk '/conf_http_keys\[\] = \{/ { f = 1; next } f && /^};/ { f = 0 } f' "$src/conf_http.c" |
	sed -n 's/^[[:space:]]*{ *"\([a-z0-9_]*\)", *[a-z_][a-z0-9_]* *},.*/http \1/p' >>"$NC_TMP/p.table"
grep -q '^http listen$' "$NC_TMP/p.table" || fail "conf_http.c conf_http_keys: no [http] listen: update the extraction"
need "$NC_TMP/p.table" 45 "conf.c conf_keys and conf_http.c conf_http_keys"
sed -n 's/.*strcasecmp(section, "\([a-z0-9]*\)") == 0 && strcasecmp(name, "\([a-z0-9_]*\)").*/\1 \2/p' \
	"$src/conf.c" >"$NC_TMP/p.special"
awk '/^input_key\(/ { f = 1 } f && /^}/ { f = 0 } f' "$src/conf_input.c" |
	sed -n 's/.*strcasecmp(name, "\([a-z0-9_]*\)").*/input \1/p' >"$NC_TMP/p.input"
need "$NC_TMP/p.input" 5 "conf_input.c [input] keys"
sed -n 's/.*\.key = "\([a-z0-9_]*\)".*/tuner \1/p' "$src/tuner_conf.c" >"$NC_TMP/p.tuner"
need "$NC_TMP/p.tuner" 15 "tuner_conf.c [tuner] keys"
cat "$NC_TMP/p.table" "$NC_TMP/p.special" "$NC_TMP/p.input" "$NC_TMP/p.tuner" >"$NC_TMP/parser.keys"
need "$NC_TMP/parser.keys" 60 "keys the parser accepts"

missing "$NC_TMP/shipped.keys" "$NC_TMP/page.keys" "in systemd/nipcached.conf, not in nipcached.conf(5)"
missing "$NC_TMP/parser.keys" "$NC_TMP/page.keys" "accepted by the parser, not in nipcached.conf(5)"
missing "$NC_TMP/page.keys" "$NC_TMP/parser.keys" "in nipcached.conf(5), not accepted by the parser"
missing "$NC_TMP/shipped.keys" "$NC_TMP/parser.keys" "in systemd/nipcached.conf, not accepted by the parser"

# --- options: the page's OPTIONS are exactly those --help prints ---
opts() {
	grep -oE -- '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[^-]*//'
}
for b in nipcached nipcast; do
	case $b in
	nipcached) p=nipcached.8 ;;
	nipcast) p=nipcast.1 ;;
	esac
	"$NC_BUILD/$b" --help >"$NC_TMP/$b.help" || fail "$b --help exits non-zero"
	opts <"$NC_TMP/$b.help" >"$NC_TMP/$b.hopts"
	terms "$NC_TMP/$p.txt" OPTIONS | cut -f 2 | grep '^-' | opts >"$NC_TMP/$b.popts"
	need "$NC_TMP/$b.hopts" 8 "$b --help options"
	need "$NC_TMP/$b.popts" 8 "$p options"
	missing "$NC_TMP/$b.hopts" "$NC_TMP/$b.popts" "in $b --help, not in $p OPTIONS"
	missing "$NC_TMP/$b.popts" "$NC_TMP/$b.hopts" "in $p OPTIONS, not in $b --help"
done

# --- nipcast(1): the --nip description keys of nipcast_desc*.c ---
terms "$NC_TMP/nipcast.1.txt" "NETWORK DESCRIPTION" >"$NC_TMP/desc.terms"
awk -F '\t' '$2 ~ /^[a-z][a-z0-9_]* = / {
	t = $2; sub(/ = .*/, "", t); s = "?" $1
	if ($1 == "[network]") s = "network"
	if ($1 == "[service NAME]") s = "service"
	if ($1 == "Unicast repair keys") s = "repair"
	print s " " t }' "$NC_TMP/desc.terms" >"$NC_TMP/desc.page"
sed -n 's/^[[:space:]]*NET("\([a-z0-9_]*\)".*/network \1/p; s/^[[:space:]]*SVC("\([a-z0-9_]*\)".*/service \1/p' \
	"$NC_TOP/carousel/nipcast_desc.c" >"$NC_TMP/desc.src"
need "$NC_TMP/desc.src" 18 "nipcast_desc.c [network] and [service] keys"
sed -n 's/^[[:space:]]*{ "\([a-z0-9_]*\)", NC_RP_.*/repair \1/p' \
	"$NC_TOP/carousel/nipcast_desc_repair.c" >"$NC_TMP/desc.rp"
need "$NC_TMP/desc.rp" 4 "nipcast_desc_repair.c repair keys"
cat "$NC_TMP/desc.rp" >>"$NC_TMP/desc.src"
missing "$NC_TMP/desc.src" "$NC_TMP/desc.page" "description keys not in nipcast(1)"
missing "$NC_TMP/desc.page" "$NC_TMP/desc.src" "in nipcast(1), not description keys"

[ $bad -eq 0 ] || fail "the man pages are out of step (above)"
