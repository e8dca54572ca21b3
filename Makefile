# SPDX-License-Identifier: GPL-2.0-or-later
# nipcache: one non-recursive Makefile (dnsmasq/chrony style).  Every
# variable can be overridden; OpenWrt/OE recipes pass CC, CFLAGS, LDFLAGS,
# PREFIX and DESTDIR.

CC		?= gcc
PKG_CONFIG	?= pkg-config
CFLAGS		?= -O2 -g
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
BINDIR		?= $(PREFIX)/bin
SYSCONFDIR	?= /etc
MANDIR		?= $(PREFIX)/share/man
UNITDIR		?= $(PREFIX)/lib/systemd/system
INITDIR		?= $(SYSCONFDIR)/init.d
DEFAULTDIR	?= $(SYSCONFDIR)/default
DESTDIR		?=
WITH_AVAHI	?= 0
WITH_SYSVINIT	?= 0
AVAHI_PORT	?= 8080
AVAHI_HOST	?=
WITH_MAN	?= 1
SCDOC		?= scdoc
BUILD		?= build
# The status page's files (daemon/ui/ and hls.min.js from the npm package
# make deps installs); nipcached looks there unless [http] ui_dir says.
UIDIR		?= $(PREFIX)/share/nipcache/ui
HLSJS		?= tests/player/node_modules/hls.js/dist/hls.min.js
# make ipk: ARCH as opkg names it (tools/mkipk.sh picks one from $(CC)
# when empty); IPK_DIR and DIST_DIR: where make ipk and make dist write.
ARCH		?=
IPK_DIR		?= $(BUILD)
DIST_DIR	?= $(BUILD)
# make chroot: the clean Debian system the long package tests copy.
CHROOT_DIR	?= /var/cache/nipcache-test/bookworm
VERSION		:= $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN	:= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wcast-qual -Wsign-compare -Wformat=2
ifeq ($(CI),true)
WARN	+= -Werror
endif
PKGS	:= libxml-2.0 libmicrohttpd libcurl inih zlib nettle libdvbv5
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DNIPCACHE_VERSION='"$(VERSION)"' \
	     -I$(BUILD)/gen $(WARN) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -pthread
ALL_LDLIBS = $(PKG_LIBS) -pthread $(LDLIBS)

# Modules, by file prefix, so that splitting a module into more files
# needs no change here.  Each test names the modules it links (never a main).
objs	  = $(patsubst %.c,%.o,$(wildcard $(1)))
COMMON	 := $(call objs,daemon/log.c daemon/util.c)
CAROUSEL := $(call objs,carousel/alc*.c carousel/fec*.c carousel/fdt*.c carousel/reasm*.c carousel/ranges*.c)
RX	 := $(call objs,carousel/rx*.c carousel/decap*.c carousel/ipudp*.c carousel/ts_*.c carousel/gse_*.c carousel/pcapf*.c)
DECAP	 := $(call objs,carousel/decap*.c carousel/ipudp*.c carousel/ts_*.c carousel/gse_*.c carousel/pcapf*.c)
TUNER	 := $(call objs,daemon/tuner*.c)
CONF	 := $(call objs,daemon/conf*.c daemon/netacl*.c) daemon/mime.o daemon/names.o $(TUNER)
STORE	 := $(call objs,daemon/cache*.c daemon/stage*.c daemon/names*.c daemon/mime*.c)
HTTP	 := $(call objs,daemon/httpd*.c daemon/mime*.c)
DAEMON	 := $(call objs,daemon/conf*.c daemon/netacl*.c daemon/metrics*.c daemon/notify*.c daemon/frontend*.c daemon/status*.c)
SENDER	 := $(call objs,carousel/flute_tx*.c)
DVBI	 := $(call objs,dvb-i/*.c)
NIP	 := $(call objs,daemon/nip*.c)
REPAIR	 := $(call objs,daemon/repair*.c)
HOLD	 := $(call objs,daemon/hold*.c daemon/hls*.c)

NIPCACHED_OBJS := $(sort daemon/main.o $(DAEMON) $(TUNER) $(NIP) $(DVBI) $(HTTP) $(HOLD) $(REPAIR) $(STORE) $(RX) $(CAROUSEL) $(COMMON))
NIPCAST_OBJS   := $(sort $(call objs,carousel/nipcast*.c) $(SENDER) $(DECAP) carousel/fec.o carousel/fec_rs.o $(call objs,carousel/fec_rq*.c) carousel/fec_codec.o $(COMMON))

test_util_OBJS	:= $(COMMON)
test_alc_OBJS	:= $(sort carousel/alc.o carousel/fec.o $(COMMON))
test_fec_OBJS	:= $(sort carousel/fec.o $(COMMON))
test_fec_rs_OBJS := $(sort carousel/fec_rs.o $(COMMON))
test_fec_rq_OBJS := $(sort $(call objs,carousel/fec_rq*.c) $(COMMON))
test_fdt_OBJS	:= $(sort $(call objs,carousel/fdt*.c) carousel/alc.o $(COMMON))
test_fdt_hostile_OBJS := $(test_fdt_OBJS)
test_reasm_OBJS	:= $(sort $(CAROUSEL) $(COMMON))
test_cache_OBJS	:= $(sort $(STORE) $(COMMON))
test_stage_OBJS	:= $(sort $(STORE) $(COMMON))
test_names_OBJS	:= $(sort $(STORE) $(COMMON))
test_conf_OBJS	:= $(sort $(CONF) $(RX) $(CAROUSEL) $(COMMON))
test_flute_tx_OBJS := $(sort $(SENDER) $(CAROUSEL) $(COMMON))
test_flute_tx_naci_OBJS := $(test_flute_tx_OBJS)
test_rx_OBJS	:= $(sort $(RX) $(CAROUSEL) $(COMMON))
test_httpd_OBJS	:= $(sort $(HTTP) $(HOLD) $(STORE) $(CONF) $(RX) $(CAROUSEL) $(COMMON))
test_reasm_fdt_OBJS := $(test_reasm_OBJS)
test_httpd_e2e_OBJS := $(test_httpd_OBJS)
test_cache_restart_OBJS := $(test_cache_OBJS)
test_stage_enc_OBJS := $(test_stage_OBJS)
test_xmlu_OBJS	:= $(sort $(DVBI) $(COMMON))
test_mgc_OBJS	:= $(test_xmlu_OBJS)
test_nipdoc_OBJS := $(test_xmlu_OBJS)
test_nip_samples_OBJS := $(test_xmlu_OBJS)
test_mgc_hostile_OBJS := $(test_xmlu_OBJS)
test_nipdoc_hostile_OBJS := $(test_xmlu_OBJS)
test_dvbi_sl_hostile_OBJS := $(test_xmlu_OBJS)
test_dvbi_rewrite_xsd_OBJS := $(test_xmlu_OBJS)
test_dvbi_sl_OBJS := $(test_xmlu_OBJS)
test_dvbi_rewrite_OBJS := $(test_xmlu_OBJS)
test_nipcast_sig_OBJS := $(sort $(call objs,carousel/nipcast_sig*.c carousel/nipcast_desc*.c) $(DVBI) $(COMMON))
test_nipcast_sig_repair_OBJS := $(test_nipcast_sig_OBJS)
test_ranges_OBJS := $(sort carousel/ranges.o carousel/fec.o $(COMMON))
test_reasm_repair_OBJS := $(test_reasm_OBJS)
test_repair_url_OBJS := $(sort $(REPAIR) $(STORE) $(CAROUSEL) $(COMMON))
test_repair_mp_OBJS := $(test_repair_url_OBJS)
test_repair_OBJS := $(test_repair_url_OBJS)
test_hold_OBJS	:= $(sort $(HOLD) $(STORE) $(COMMON))
test_hls_OBJS	:= $(test_hold_OBJS)
test_httpd_hold_OBJS := $(test_httpd_OBJS)
test_httpd_stale_OBJS := $(test_httpd_OBJS)
test_hls_hostile_OBJS := $(test_hold_OBJS)
test_reasm_repair_hostile_OBJS := $(test_reasm_OBJS)
# These two define fec_codec_get() themselves, to put a test code in front.
test_reasm_fec_OBJS := $(filter-out carousel/fec_codec.o,$(test_reasm_OBJS))
test_reasm_fec_hostile_OBJS := $(test_reasm_fec_OBJS)
test_repair_mp_hostile_OBJS := $(test_repair_url_OBJS)
test_cache_pin_OBJS := $(test_cache_OBJS)
test_rx_src_OBJS := $(test_rx_OBJS)
test_decap_OBJS	:= $(sort $(DECAP) $(COMMON))
test_ipudp_OBJS	:= $(test_decap_OBJS)
test_pcapf_OBJS	:= $(test_decap_OBJS)
test_ts_demux_OBJS := $(test_decap_OBJS)
test_ts_demux_int_OBJS := $(test_decap_OBJS)
test_ts_demux_hostile_OBJS := $(test_decap_OBJS)
test_ts_demux_ule_OBJS := $(test_decap_OBJS)
test_pcapf_ng_OBJS := $(test_decap_OBJS)
test_nipcast_out_OBJS := $(sort carousel/nipcast_out.o $(SENDER) carousel/fec.o $(DECAP) $(COMMON))
# The sender's modules but its main, with the receiver to check its packets.
test_nipcast_fec_OBJS := $(sort $(filter-out carousel/nipcast.o,$(call objs,carousel/nipcast*.c)) $(SENDER) $(DECAP) $(CAROUSEL) $(DVBI) $(COMMON))
test_nipcast_fec_opts_OBJS := $(test_nipcast_fec_OBJS)
test_ts_mux_OBJS := $(test_decap_OBJS)
test_gse_demux_OBJS := $(test_decap_OBJS)
test_gse_demux_frag_OBJS := $(test_decap_OBJS)
test_gse_demux_hostile_OBJS := $(test_decap_OBJS)
test_gse_mux_OBJS := $(test_decap_OBJS)
test_decap_roundtrip_OBJS := $(test_decap_OBJS)
test_rx_input_OBJS := $(test_rx_OBJS)
test_tuner_plan_OBJS := $(sort $(TUNER) $(DVBI) $(COMMON))
test_tuner_OBJS	:= $(test_tuner_plan_OBJS)
test_tuner_nif_OBJS := $(test_tuner_plan_OBJS)
test_tsduck_ses_OBJS := $(sort $(DVBI) daemon/mime.o daemon/names.o $(COMMON))
test_nip_OBJS	:= $(sort $(NIP) $(DVBI) $(STORE) $(CONF) $(RX) $(CAROUSEL) $(COMMON))
test_status_OBJS := $(sort daemon/status.o $(COMMON))
test_netacl_OBJS := $(sort daemon/netacl.o $(COMMON))
test_httpd_ui_OBJS := $(test_httpd_OBJS)
test_httpd_guard_OBJS := $(test_httpd_OBJS)

# Fuzz targets (tests/fuzz/<target>.c, tests/fuzz/README.md): the objects
# each links.  make fuzz builds them with clang and libFuzzer; check-unit
# builds them with $(CC) and replay.c and replays the committed corpus.
FUZZ_ALL	:= $(filter-out replay,$(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c)))
FUZZ_TARGETS	?= $(FUZZ_ALL)
FUZZ_TIME	?= 600
FUZZ_BUILD	?= build-fuzz
FUZZ_MAIN	?= $(BUILD)/tests/fuzz/replay.o
fuzz_alc_OBJS	:= $(sort carousel/alc.o carousel/fec.o $(COMMON))
fuzz_fdt_OBJS	:= $(test_fdt_OBJS)
fuzz_nipdoc_OBJS := $(test_xmlu_OBJS)
fuzz_dvbi_OBJS	:= $(test_xmlu_OBJS)
fuzz_mgc_OBJS	:= $(test_xmlu_OBJS)
fuzz_dvbi_rewrite_OBJS := $(sort $(DVBI) daemon/names.o $(COMMON))
fuzz_ts_OBJS	:= $(test_decap_OBJS)
fuzz_gse_OBJS	:= $(test_decap_OBJS)
fuzz_pcapf_OBJS	:= $(test_decap_OBJS)
fuzz_http_OBJS	:= $(sort daemon/mime.o daemon/names.o daemon/hls.o $(COMMON))
fuzz_conf_OBJS	:= $(sort $(test_conf_OBJS) daemon/mime.o daemon/names.o)

FLEETSIM_OBJS := $(sort $(call objs,tools/fleetsim*.c) carousel/ranges.o carousel/fec.o daemon/repair_url.o $(COMMON))

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

.PHONY: all fleetsim deps check check-unit check-san check-system check-long soak bench demo \
	fuzz fuzz-bins fuzz-report fuzz-seeds fuzz-cmin \
	install uninstall clean check-style lint man ipk dist deb ui chroot check-valgrind FORCE

all: $(BUILD)/nipcached $(BUILD)/nipcast ui

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The compiled-in UIDIR, rewritten only when it changes, so that
# "make; make install PREFIX=/usr" relinks nipcached with the right one.
$(BUILD)/gen/paths.h: FORCE
	@mkdir -p $(dir $@)
	@printf '#define NIPCACHE_UI_DIR "%s"\n' '$(UIDIR)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/daemon/httpd_ui.o: $(BUILD)/gen/paths.h

# The status page as installed, in $(BUILD)/ui (what the system tests
# serve): daemon/ui/ and hls.js's dist/hls.min.js, which make deps puts in
# tests/player/node_modules (npm ci from the lock file).  Without it the
# page is there but cannot play.
UI_FILES := index.html status.js status.css
ui: $(addprefix $(BUILD)/ui/,$(UI_FILES))
	@if [ -f $(HLSJS) ]; then cmp -s $(HLSJS) $(BUILD)/ui/hls.min.js || \
		cp $(HLSJS) $(BUILD)/ui/hls.min.js; \
	else echo "warning: $(HLSJS) is missing (make deps): the status page will not play" >&2; fi
$(BUILD)/ui/%: daemon/ui/%
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/nipcached: $(addprefix $(BUILD)/,$(NIPCACHED_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/nipcast: $(addprefix $(BUILD)/,$(NIPCAST_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# Unit tests: build/tests/test_x from tests/unit/test_x.c + test_x_OBJS.
define unit_rule
$(BUILD)/tests/$(1): tests/unit/$(1).c tests/unit/test.h $$(addprefix $(BUILD)/,$$($(1)_OBJS))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -Itests/unit -o $$@ $$< $$(addprefix $(BUILD)/,$$($(1)_OBJS)) $$(LDFLAGS) $$(ALL_LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# Fuzz targets: $(BUILD)/fuzz/X from tests/fuzz/X.c + fuzz_X_OBJS, with
# replay.c as main (FUZZ_MAIN empty: libFuzzer's, from LDFLAGS).
define fuzz_rule
$(BUILD)/fuzz/$(1): tests/fuzz/$(1).c tests/fuzz/fuzz.h $(FUZZ_MAIN) $$(addprefix $(BUILD)/,$$(fuzz_$(1)_OBJS))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_CFLAGS) -Itests/unit -o $$@ $$< $(FUZZ_MAIN) $$(addprefix $(BUILD)/,$$(fuzz_$(1)_OBJS)) $$(LDFLAGS) $$(ALL_LDLIBS)
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call fuzz_rule,$(t))))
fuzz-bins: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))

# make fuzz [FUZZ_TIME=S] [FUZZ_TARGETS="alc fdt"]: each target with
# libFuzzer for FUZZ_TIME seconds, one after the other at nice 10; the
# corpus and the new inputs are merged into the smallest set covering both
# (tests/fuzz/corpus/X), crashers go to tests/fuzz/crashers/X, and each
# run is logged in tests/fuzz/RUNS.tsv.
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_BINS = $(MAKE) BUILD=$(FUZZ_BUILD) CC=clang FUZZ_MAIN= FUZZ_TARGETS="$(FUZZ_TARGETS)" \
	CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	LDFLAGS="-fsanitize=fuzzer $(FUZZ_SAN)" fuzz-bins
fuzz:
	@sh tools/deps.sh fuzz
	$(FUZZ_BINS)
	@sh tests/fuzz/run.sh $(FUZZ_BUILD)/fuzz $(FUZZ_TIME) $(FUZZ_TARGETS)

# Minimise the committed corpus of each target (make fuzz does it after
# each run).
fuzz-cmin:
	@sh tools/deps.sh fuzz
	$(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do sh tests/fuzz/cmin.sh $(FUZZ_BUILD)/fuzz $$t || exit 1; done

# Rewrite the seeds (tests/fuzz/corpus/X/seed-*) from nipcast's output.
fuzz-seeds: $(BUILD)/nipcast
	@sh tests/fuzz/mkseeds.sh $(BUILD)

# Cumulative time, executions and coverage per target from RUNS.tsv.
fuzz-report:
	@sh tests/fuzz/report.sh tests/fuzz/RUNS.tsv

# FEC codec throughput (tools/bench.sh).
FECBENCH_OBJS := $(sort tools/fecbench.o $(call objs,carousel/fec_r*.c) carousel/fec_codec.o)
$(BUILD)/fecbench: $(addprefix $(BUILD)/,$(FECBENCH_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# The fleet repair simulation (tools/fleet-repair.md).
fleetsim: $(BUILD)/fleetsim
$(BUILD)/fleetsim: $(addprefix $(BUILD)/,$(FLEETSIM_OBJS))
	$(CC) $(LDFLAGS) -o $@ $^ $(ALL_LDLIBS) -lm

# Man pages from their scdoc sources, dated by the release, never by the
# build (reproducible builds): SOURCE_DATE_EPOCH when the packager sets it
# (dpkg-buildpackage takes it from debian/changelog), else the last commit
# that changed VERSION or a page, else VERSION's own date (a release tarball).
MAN_PAGES := nipcached.8 nipcached.conf.5 nipcast.1 nipcache-avahi-service.8
MAN_EPOCH ?= $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct -- VERSION packaging/man 2>/dev/null),$(shell stat -c %Y VERSION))

man: $(addprefix $(BUILD)/man/,$(MAN_PAGES))

$(BUILD)/man/%: packaging/man/%.scd VERSION
	@command -v $(SCDOC) >/dev/null || { echo "$(SCDOC) is missing: make deps (or make install WITH_MAN=0)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(VERSION)/g' $< | SOURCE_DATE_EPOCH=$(MAN_EPOCH) $(SCDOC) >$@.tmp
	mv $@.tmp $@

deps:
	@sh tools/deps.sh

check-unit: $(addprefix $(BUILD)/tests/,$(UNIT_TESTS)) $(addprefix $(BUILD)/fuzz/,$(FUZZ_ALL))
	@sh tests/run-unit.sh $(BUILD)/tests $(UNIT_TESTS)
	@sh tests/fuzz/replay.sh $(BUILD)/fuzz $(FUZZ_ALL)

# Unit tests again under ASan and UBSan (CI=true runs this from check).
check-san:
	$(MAKE) BUILD=build-san CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" check-unit

check-system: all
	@NC_CHROOT=$(CHROOT_DIR) sh tests/system/run.sh $(BUILD)

check: deps
	$(MAKE) all
ifeq ($(CI),true)
	$(MAKE) lint
endif
	$(MAKE) check-unit
ifeq ($(CI),true)
	$(MAKE) check-san
endif
	@$(MAKE) chroot || echo "make chroot failed (above): 098-nspawn-boot will skip, saying so"
	$(MAKE) check-system

# The soak: SOAK_MIN minutes (30) of a live carousel at 50 Mbit/s with 1%
# loss, eviction and 20 players (tests/system/120-soak.sh).
SOAK_MIN	?= 30
soak: deps all
	@SOAK=1 SOAK_MIN=$(SOAK_MIN) sh tests/system/run.sh $(BUILD) 120-soak.sh

check-long: deps all
	$(MAKE) chroot
	@NC_CHROOT=$(CHROOT_DIR) LONG=1 sh tests/system/run.sh $(BUILD)
	$(MAKE) check-valgrind

# The daemon of these system tests under valgrind's memcheck: no invalid
# access, no uninitialised use, no definite or indirect leak at exit
# (tests/system/common.sh, valgrind.supp).  In make check-long.
VALGRIND_TESTS ?= 001-start-stop.sh 010-carousel-md5.sh 011-loss.sh \
	020-evict.sh 021-min-free.sh 040-http.sh 041-http-security.sh \
	061-interop-input.sh 062-decap.sh 063-ts-stream.sh 070-nip-discovery.sh \
	090-repair.sh 092-fallback.sh
check-valgrind: all
	@VALGRIND=1 sh tests/system/run.sh $(BUILD) $(VALGRIND_TESTS)

# The clean bookworm system (debootstrap minbase, systemd, the programs'
# libraries) that 098-nspawn-boot and the long 102 install the .deb in:
# made once from the configured Debian mirror into CHROOT_DIR, then reused
# without network (tools/mkchroot.sh).
chroot: all
	@sh tools/mkchroot.sh $(BUILD) $(CHROOT_DIR)

bench: deps all $(BUILD)/fecbench
	@sh tools/bench.sh $(BUILD)

demo: deps
	$(MAKE) all
	@sh tools/demo.sh $(BUILD)

# cppcheck and clang-tidy (checks in .clang-tidy); any finding fails.
lint: $(BUILD)/gen/paths.h
	@sh tools/lint.sh $(BUILD)

check-style:
	@clang-format --dry-run --Werror daemon/*.[ch] carousel/*.[ch] dvb-i/*.[ch]

ifeq ($(WITH_MAN),1)
install: man
endif
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/nipcache
	install -m 0755 $(BUILD)/nipcached $(DESTDIR)$(SBINDIR)/nipcached
	install -m 0755 $(BUILD)/nipcast $(DESTDIR)$(BINDIR)/nipcast
	install -m 0755 tools/avahi-service.sh $(DESTDIR)$(SBINDIR)/nipcache-avahi-service
ifeq ($(WITH_AVAHI),1)
	sh tools/avahi-service.sh --port $(AVAHI_PORT) $(if $(AVAHI_HOST),--host $(AVAHI_HOST)) >$(BUILD)/nipcache.service
	install -d $(DESTDIR)$(SYSCONFDIR)/avahi/services
	install -m 0644 $(BUILD)/nipcache.service $(DESTDIR)$(SYSCONFDIR)/avahi/services/nipcache.service
endif
	install -m 0644 systemd/nipcached.conf $(DESTDIR)$(SYSCONFDIR)/nipcache/nipcached.conf
	install -d $(DESTDIR)$(UIDIR)
	install -m 0644 $(addprefix $(BUILD)/ui/,$(UI_FILES)) $(DESTDIR)$(UIDIR)/
	if [ -f $(BUILD)/ui/hls.min.js ]; then install -m 0644 $(BUILD)/ui/hls.min.js $(DESTDIR)$(UIDIR)/; fi
ifeq ($(WITH_SYSTEMD),1)
	install -d $(DESTDIR)$(UNITDIR)
	install -m 0644 systemd/nipcached.service $(DESTDIR)$(UNITDIR)/nipcached.service
endif
ifeq ($(WITH_MAN),1)
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 $(BUILD)/man/nipcast.1 $(DESTDIR)$(MANDIR)/man1/nipcast.1
	install -m 0644 $(BUILD)/man/nipcached.conf.5 $(DESTDIR)$(MANDIR)/man5/nipcached.conf.5
	install -m 0644 $(BUILD)/man/nipcached.8 $(DESTDIR)$(MANDIR)/man8/nipcached.8
	install -m 0644 $(BUILD)/man/nipcache-avahi-service.8 $(DESTDIR)$(MANDIR)/man8/nipcache-avahi-service.8
endif
# The busybox start-stop-daemon script and its defaults (the .ipk and the
# OE recipe); the paths in them follow SBINDIR and SYSCONFDIR.
ifeq ($(WITH_SYSVINIT),1)
	install -d $(DESTDIR)$(INITDIR) $(DESTDIR)$(DEFAULTDIR)
	sed -e 's|^DAEMON=.*|DAEMON=$(SBINDIR)/nipcached|' \
	    -e 's|/etc/nipcache/|$(SYSCONFDIR)/nipcache/|g' \
	    -e 's|/etc/default/nipcache|$(DEFAULTDIR)/nipcache|g' \
	    packaging/sysvinit/nipcached >$(BUILD)/nipcached.init
	install -m 0755 $(BUILD)/nipcached.init $(DESTDIR)$(INITDIR)/nipcached
	sed -e 's|/etc/nipcache/|$(SYSCONFDIR)/nipcache/|g' packaging/sysvinit/nipcache.default \
	    >$(BUILD)/nipcache.default
	install -m 0644 $(BUILD)/nipcache.default $(DESTDIR)$(DEFAULTDIR)/nipcache
endif

# The Debian package, built offline (after make deps) into $(BUILD)/deb
# from a copy of the tree with packaging/debian as debian/; fails on any
# lintian error or warning (packaging/deb.sh).
deb:
	@sh packaging/deb.sh $(BUILD)

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/nipcached $(DESTDIR)$(BINDIR)/nipcast \
	      $(DESTDIR)$(UNITDIR)/nipcached.service \
	      $(DESTDIR)$(SBINDIR)/nipcache-avahi-service \
	      $(DESTDIR)$(SYSCONFDIR)/avahi/services/nipcache.service \
	      $(DESTDIR)$(MANDIR)/man1/nipcast.1 $(DESTDIR)$(MANDIR)/man5/nipcached.conf.5 \
	      $(DESTDIR)$(MANDIR)/man8/nipcached.8 $(DESTDIR)$(MANDIR)/man8/nipcache-avahi-service.8 \
	      $(DESTDIR)$(INITDIR)/nipcached \
	      $(addprefix $(DESTDIR)$(UIDIR)/,$(UI_FILES) hls.min.js)
	rmdir $(DESTDIR)$(UIDIR) $(DESTDIR)$(PREFIX)/share/nipcache 2>/dev/null || true

# An .ipk for Enigma2/OE boxes (and OpenWrt up to 24.10) in $(IPK_DIR).
ipk: all
	@CC="$(CC)" ARCH="$(ARCH)" sh tools/mkipk.sh $(BUILD) $(IPK_DIR)

# The release tarball of HEAD and the OE recipe for it, in $(DIST_DIR).
dist:
	@sh tools/mkdist.sh $(DIST_DIR)

clean:
	rm -rf build build-san $(FUZZ_BUILD)

# Dependency files only: $(BUILD)/deb holds a whole package tree (make deb),
# with folders such as sysctl.d and a source copy with .d files of its own.
-include $(shell find $(BUILD) -path '$(BUILD)/deb' -prune -o -name '*.d' -type f -print 2>/dev/null)
