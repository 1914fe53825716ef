# shelfready build. `make` builds build/shelfready; `make test` and `make demo`
# also install what they need (see scripts/deps.sh).
#
# Variables (set on the command line or in config.mak):
#   SANITIZE=address,undefined   build everything, tests included, with sanitizers
#   DEVELOPER=0                  do not turn warnings into errors
#   CFLAGS, LDFLAGS, PREFIX, DESTDIR, CC, PKG_CONFIG
#   LIBSSH2_CFLAGS/LIBSSH2_LIBS, YAML_CFLAGS/YAML_LIBS, CURL_CFLAGS,
#   CJSON_CFLAGS/CJSON_LIBS, CRYPTO_CFLAGS/CRYPTO_LIBS (libcrypto),
#   CMOCKA_CFLAGS/CMOCKA_LIBS override pkg-config
#   V=1                          show full compiler command lines
#   FUZZ_SECONDS=N               length of `make fuzz` (default 60)

-include config.mak

VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CC ?= cc
FUZZ_CC ?= clang
PKG_CONFIG ?= pkg-config
DEVELOPER ?= 1
CFLAGS ?= -O2 -g
FUZZ_SECONDS ?= 60
# Sanitizer builds live apart so that switching does not rebuild the other.
ifeq ($(SANITIZE),)
B = build
else
B = build/sanitize-$(subst $(comma),-,$(SANITIZE))
endif
comma := ,

ifneq ($(V),1)
QUIET_CC = @echo '   CC      '$@;
QUIET_LINK = @echo '   LINK    '$@;
QUIET_GEN = @echo '   GEN     '$@;
QUIET_AR = @echo '   AR      '$@;
endif

pc = $(shell $(PKG_CONFIG) $(1) $(2) 2>/dev/null)
LIBSSH2_CFLAGS ?= $(call pc,--cflags,libssh2)
LIBSSH2_LIBS ?= $(or $(call pc,--libs,libssh2),-lssh2)
YAML_CFLAGS ?= $(call pc,--cflags,yaml-0.1)
YAML_LIBS ?= $(or $(call pc,--libs,yaml-0.1),-lyaml)
# libcurl's headers only: lib/http.c loads libcurl.so.4 when it first fetches
CURL_CFLAGS ?= $(call pc,--cflags,libcurl)
CJSON_CFLAGS ?= $(or $(call pc,--cflags,libcjson),-I/usr/include/cjson)
CJSON_LIBS ?= $(or $(call pc,--libs,libcjson),-lcjson)
CRYPTO_CFLAGS ?= $(call pc,--cflags,libcrypto)
CRYPTO_LIBS ?= $(or $(call pc,--libs,libcrypto),-lcrypto)
CMOCKA_CFLAGS ?= $(call pc,--cflags,cmocka)
CMOCKA_LIBS ?= $(or $(call pc,--libs,cmocka),-lcmocka)

WARNINGS = -Wall -Wextra -Wformat=2 -Wformat-security -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wvla -Wshadow -Wpointer-arith \
	-Wwrite-strings -Wundef -Wimplicit-fallthrough -Wno-missing-field-initializers
ifeq ($(DEVELOPER),1)
WARNINGS += -Werror
endif
ifneq ($(SANITIZE),)
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

DEP_CFLAGS = $(LIBSSH2_CFLAGS) $(YAML_CFLAGS) $(CURL_CFLAGS) $(CJSON_CFLAGS) $(CRYPTO_CFLAGS)
DEP_LIBS = $(LIBSSH2_LIBS) $(YAML_LIBS) $(CJSON_LIBS) $(CRYPTO_LIBS) -ldl
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DSHELFREADY_VERSION='"$(VERSION)"' $(WARNINGS) $(CFLAGS) $(SAN_FLAGS) \
	-Ilib -Icmd -I$(B)/gen $(DEP_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

LIB_SRC = $(sort $(wildcard lib/*.c steps/*.c checks/*.c))
CMD_SRC = $(sort $(wildcard cmd/*.c))
PROFILES = $(sort $(wildcard profiles/*.yaml))
SCRIPTS = scripts/gather.sh
EOL_DATA = $(sort $(wildcard data/eol/*.json))
GEN_SRC = $(B)/gen/bundled_profiles.c $(B)/gen/embedded_scripts.c $(B)/gen/eol_data.c
# data compiled in for the package-sources check
GEN_SRC += $(B)/gen/official_sources.c
LIB_OBJ = $(LIB_SRC:%.c=$(B)/obj/%.o) $(GEN_SRC:$(B)/gen/%.c=$(B)/obj/gen/%.o)
CMD_OBJ = $(CMD_SRC:%.c=$(B)/obj/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
UNIT_HELPER = $(B)/obj/tests/unit/helpers.o

.PHONY: all deps test unit e2e demo fuzz fuzz-replay install uninstall clean check-tables docs deb examples
.DEFAULT_GOAL := all
# keep objects that pattern chains would otherwise delete as intermediate
.PRECIOUS: $(B)/obj/%.o $(B)/obj/tests/%.o

all: $(B)/shelfready $(B)/shelfready.1

# Rebuild everything when the flags change (sanitizers on or off, ...).
$(B)/FLAGS: FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(DEP_LIBS)' > $(B)/FLAGS.new
	@cmp -s $(B)/FLAGS.new $@ && rm -f $(B)/FLAGS.new || mv $(B)/FLAGS.new $@
FORCE:

$(B)/embed: scripts/embed.c
	@mkdir -p $(B)
	$(CC) -std=c11 -O1 -Wall -Wextra -o $@ $<

$(B)/gen/bundled_profiles.c: $(B)/embed $(PROFILES)
	@mkdir -p $(B)/gen
	$(QUIET_GEN)$(B)/embed $@ bundled.h 'struct bundled_file' bundled_profiles $(PROFILES)

$(B)/gen/embedded_scripts.c: $(B)/embed $(SCRIPTS)
	@mkdir -p $(B)/gen
	$(QUIET_GEN)$(B)/embed $@ bundled.h 'struct bundled_file' embedded_scripts $(SCRIPTS)

$(B)/gen/eol_data.c: $(B)/embed $(EOL_DATA)
	@mkdir -p $(B)/gen
	$(QUIET_GEN)$(B)/embed $@ bundled.h 'struct bundled_file' eol_data $(EOL_DATA)

$(B)/gen/official_sources.c: $(B)/embed data/official-sources.json
	@mkdir -p $(B)/gen
	$(QUIET_GEN)$(B)/embed $@ bundled.h 'struct bundled_file' embedded_official_sources data/official-sources.json

$(B)/obj/%.o: %.c $(B)/FLAGS
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/obj/gen/%.o: $(B)/gen/%.c $(B)/FLAGS
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/libshelfready.a: $(LIB_OBJ)
	@rm -f $@
	$(QUIET_AR)ar rcs $@ $^

check-tables: $(B)/.tables-ok
$(B)/.tables-ok: scripts/check-tables.sh $(LIB_SRC) $(CMD_SRC)
	@mkdir -p $(B)
	sh scripts/check-tables.sh
	@touch $@

$(B)/shelfready: $(CMD_OBJ) $(B)/libshelfready.a $(B)/.tables-ok
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJ) $(B)/libshelfready.a $(DEP_LIBS) -lpthread

# ---- tests ----

$(B)/obj/tests/%.o: tests/%.c $(B)/FLAGS
	@mkdir -p $(@D)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -Itests/unit $(CMOCKA_CFLAGS) -c -o $@ $<

$(B)/tests/test_%: $(B)/obj/tests/unit/test_%.o $(UNIT_HELPER) $(B)/libshelfready.a
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $< $(UNIT_HELPER) $(B)/libshelfready.a $(DEP_LIBS) $(CMOCKA_LIBS)

# Fuzz targets: tests/fuzz/fuzz_NAME.c with a seed corpus in tests/fuzz/corpus*
# (corpus for the loader, corpus-NAME for the others). The replay driver
# builds with any compiler, so each corpus runs in every test run; the
# libFuzzer builds need clang.
FUZZERS = loader gather sshkey
$(B)/tests/fuzz_replay_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/replay.o $(B)/libshelfready.a
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS) -lpthread

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_SRC) $(GEN_SRC) $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 \
		-DSHELFREADY_VERSION='"$(VERSION)"' -fsanitize=fuzzer,address,undefined -Ilib -I$(B)/gen $(DEP_CFLAGS) \
		-o $@ $< $(LIB_SRC) $(GEN_SRC) $(DEP_LIBS) -lpthread

# a driver for the SSH transport in end-to-end tests
$(B)/tests/sshprobe: $(B)/obj/tests/tools/sshprobe.o $(B)/libshelfready.a
	@mkdir -p $(@D)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS) -lpthread

unit: $(UNIT_BIN) $(FUZZERS:%=$(B)/tests/fuzz_replay_%) $(B)/tests/sshprobe

deps:
	sh scripts/deps.sh

test: deps
	$(MAKE) all unit
	SR_BUILD=$(B) sh tests/run.sh

# make fuzz [FUZZER=loader|gather|sshkey] [FUZZ_SECONDS=60]: each named fuzzer in turn
FUZZER ?= $(FUZZERS)
fuzz: $(FUZZER:%=$(B)/fuzz/fuzz_%)
	@for f in $(FUZZER); do \
		corpus=tests/fuzz/corpus-$$f; [ $$f = loader ] && corpus=tests/fuzz/corpus; \
		dict=; [ -f tests/fuzz/$$f.dict ] && dict=-dict=tests/fuzz/$$f.dict; \
		[ $$f = loader ] && dict=-dict=tests/fuzz/yaml.dict; \
		mkdir -p $(B)/fuzz/corpus-$$f; \
		echo "fuzzing $$f for $(FUZZ_SECONDS) s"; \
		$(B)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -max_len=262144 \
			-artifact_prefix=$(B)/fuzz/$$f- $$dict $(B)/fuzz/corpus-$$f $$corpus || exit 1; \
	done

demo: deps
	$(MAKE) all
	sh scripts/demo.sh

# the man page and the type reference come from the command and type tables
$(B)/shelfready.1: $(B)/shelfready
	$(QUIET_GEN)$(B)/shelfready doc --man >$@+ && mv $@+ $@

docs: $(B)/shelfready
	sh scripts/gen-docs.sh $(B)/shelfready

# examples/cloud-init/*.user-data come from `shelfready emit` (scripts/gen-examples.sh)
examples: $(B)/shelfready
	sh scripts/gen-examples.sh $(B)/shelfready

install: $(B)/shelfready $(B)/shelfready.1
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(B)/shelfready $(DESTDIR)$(BINDIR)/shelfready
	install -m 0644 $(B)/shelfready.1 $(DESTDIR)$(MANDIR)/man1/shelfready.1

# a Debian package: build/shelfready_VERSION_ARCH.deb (scripts/mkdeb.sh)
deb: $(B)/shelfready $(B)/shelfready.1
	sh scripts/mkdeb.sh $(B) $(VERSION)

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/shelfready $(DESTDIR)$(MANDIR)/man1/shelfready.1

clean:
	rm -rf $(B)

-include $(wildcard $(B)/obj/*/*.d $(B)/obj/*/*/*.d)
