# cm: run and steer terminal programs in tmux.

PREFIX ?=	/usr/local
BINDIR ?=	$(PREFIX)/bin
MANDIR ?=	$(PREFIX)/share/man
BASHCOMPDIR ?=	$(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?=	$(PREFIX)/share/zsh/site-functions
SYSTEMDUSERDIR ?= $(PREFIX)/lib/systemd/user
CC ?=		cc
CFLAGS ?=	-O2 -g
WARN =		-Wall -Wextra -pedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes -Wpointer-arith -Wno-format-nonliteral
CPPFLAGS +=	-D_POSIX_C_SOURCE=200809L
ALL_CFLAGS =	-std=c99 $(WARN) $(CFLAGS)
SAN =		-fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all

SRCS =		cm.c conn.c reply.c follow.c output.c verbs.c listing.c watch.c \
		hosts.c local.c agent.c client.c session.c autoconfirm.c ring.c \
		proto.c tmux.c confirm.c profile.c rules.c shell.c policy.c \
		remote.c util.c esc.c sock.c attach.c demo.c fakecli.c notify.c \
		sdnotify.c config.c ctlparse.c
HDRS =		cm.h agent.h cli.h
UNIT_SRCS =	proto.c util.c confirm.c profile.c rules.c shell.c policy.c esc.c \
		remote.c tmux.c config.c notify.c reply.c ctlparse.c

all: cm

cm: $(SRCS) $(HDRS)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $(SRCS) $(LDFLAGS)

tests/unit: tests/unit.c $(UNIT_SRCS) $(HDRS)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -I. -o $@ tests/unit.c $(UNIT_SRCS) \
	    $(LDFLAGS)

# Unit tests, the end-to-end tests, and the core ones again through a real
# ssh tunnel (a private sshd on 127.0.0.1; needs openssh-server).
test: cm tests/unit
	./tests/unit
	./tests/run
	./tests/run --ssh

# Fault injection (tests/f-*.sh): the agent's children, the tmux server
# and the disk failing, floods and a watcher that stops reading; each test
# bounded by tests/run's limit, about two minutes in all, loopback only.
faults: cm
	./tests/run $(notdir $(wildcard tests/f-*.sh))

# The load suite: 100 sessions, 50 watchers, 10 clients for LOAD_SECS (60)
# seconds; prints the figures doc/TESTING.md quotes.  Not part of CI.
load: cm
	./tests/load.sh

# The end-to-end suite with every agent tests start (start_agent) under
# valgrind's memcheck; any error or definite leak fails the test.  Slow
# (the agent runs 20 to 50 times slower), so not part of CI.
valgrind: cm
	CM_TEST_VALGRIND=1 ./tests/run

# A few of them, for CI: the agent's main paths (create, classify, answer,
# type, watch, restart and adopt) under memcheck, in about a minute.
valgrind-smoke: cm
	CM_TEST_VALGRIND=1 ./tests/run t-lifecycle.sh t-autoconfirm.sh \
	    t-send.sh t-watchers.sh t-restart.sh

# The same tests, with a binary built under ASan and UBSan.
check:
	$(MAKE) clean
	$(MAKE) CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" test
	$(MAKE) clean

# libFuzzer targets, one per parser (tests/fuzz/fuzz_*.c), built with clang
# under ASan and UBSan.  make fuzz runs each for FUZZ_SECS seconds from its
# seed corpus (tests/fuzz/corpus/); make fuzz-smoke for 8 s each (CI).
FUZZ_CC ?=	clang
FUZZ_SECS ?=	60
FUZZ_SMOKE_SECS ?= 8
FUZZ_SAN =	-fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
FUZZ_OBJS =	$(UNIT_SRCS:%.c=tests/fuzz/obj/%.o)
FUZZ_NAMES =	proto classify rules config hello shell reply host ctl
FUZZ_BINS =	$(FUZZ_NAMES:%=tests/fuzz/fuzz_%)

# The sources once, instrumented for the fuzzer; then one link per target.
tests/fuzz/obj/%.o: %.c $(HDRS)
	@mkdir -p tests/fuzz/obj
	$(FUZZ_CC) $(CPPFLAGS) -std=c99 $(WARN) -O1 -g $(FUZZ_SAN) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS) $(HDRS)
	$(FUZZ_CC) $(CPPFLAGS) -std=c99 $(WARN) -O1 -g $(FUZZ_SAN) \
	    -fsanitize=fuzzer -I. -o $@ $< $(FUZZ_OBJS)

fuzz-build: $(FUZZ_OBJS) $(FUZZ_BINS)

fuzz: fuzz-build
	./tests/fuzz/run $(FUZZ_SECS) $(FUZZ_NAMES)

fuzz-smoke:
	$(MAKE) -j2 fuzz-build
	./tests/fuzz/run $(FUZZ_SMOKE_SECS) $(FUZZ_NAMES)

bench/lat: bench/lat.c $(UNIT_SRCS) $(HDRS)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -I. -o $@ bench/lat.c $(UNIT_SRCS) \
	    $(LDFLAGS)

# Measure cm against polling and per-command tmux/ssh, side by side; a
# table on stdout, machine-readable lines in bench/results.txt.  QUICK=1
# for a short run.
bench: cm bench/lat
	./bench/run $(QUICK:1=--quick)

# The newest version of each AI CLI, captured offline through the scripted
# scenario and classified: a table per CLI version of the frames cm
# misreads.  On demand (root, npm, minutes); CI tests the pinned versions.
drift: cm
	./tests/drift.sh $(CLIS)

# Static analysis: cppcheck, then clang-tidy (checks in .clang-tidy); both
# must be clean.  What is turned off, and why: doc/TESTING.md, "Lint".
lint:
	cppcheck --std=c99 --enable=warning,style,performance,portability \
	    --error-exitcode=1 --inline-suppr --quiet \
	    -D_POSIX_C_SOURCE=200809L -D__linux__ \
	    --suppress=variableScope \
	    --suppress=unusedStructMember:confirm.c \
	    --suppress=constParameter:session.c \
	    --suppress=knownConditionTrueFalse:policy.c \
	    --suppress=wrongPrintfScanfArgNum:policy.c $(SRCS)
	clang-tidy --quiet $(SRCS) -- $(CPPFLAGS) -std=c99

# The binary, the man page, bash and zsh completions and the systemd user
# unit (its ExecStart pointing at BINDIR); uninstall removes exactly those.
install: cm
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(SYSTEMDUSERDIR)
	cp cm $(DESTDIR)$(BINDIR)/cm
	chmod 755 $(DESTDIR)$(BINDIR)/cm
	cp cm.1 $(DESTDIR)$(MANDIR)/man1/cm.1
	cp contrib/cm.bash $(DESTDIR)$(BASHCOMPDIR)/cm
	cp contrib/_cm $(DESTDIR)$(ZSHCOMPDIR)/_cm
	sed 's|@BINDIR@|$(BINDIR)|g' contrib/cm-agent.service \
	    >$(DESTDIR)$(SYSTEMDUSERDIR)/cm-agent.service
	chmod 644 $(DESTDIR)$(MANDIR)/man1/cm.1 $(DESTDIR)$(BASHCOMPDIR)/cm \
	    $(DESTDIR)$(ZSHCOMPDIR)/_cm \
	    $(DESTDIR)$(SYSTEMDUSERDIR)/cm-agent.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cm $(DESTDIR)$(MANDIR)/man1/cm.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/cm $(DESTDIR)$(ZSHCOMPDIR)/_cm \
	    $(DESTDIR)$(SYSTEMDUSERDIR)/cm-agent.service

clean:
	rm -f cm tests/unit $(FUZZ_BINS) bench/lat
	rm -rf tests/fuzz/obj

.PHONY: valgrind valgrind-smoke all test check faults load bench drift lint install uninstall clean \
	fuzz fuzz-build fuzz-smoke
