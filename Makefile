# cm: run and steer terminal programs in tmux.

PREFIX ?=	/usr/local
BINDIR ?=	$(PREFIX)/bin
CC ?=		cc
CFLAGS ?=	-O2 -g
WARN =		-Wall -Wextra -pedantic -Wformat=2 -Wshadow -Wstrict-prototypes \
		-Wmissing-prototypes -Wpointer-arith -Wno-format-nonliteral
CPPFLAGS +=	-D_POSIX_C_SOURCE=200809L
ALL_CFLAGS =	-std=c99 $(WARN) $(CFLAGS)
SAN =		-fsanitize=address,undefined -fno-omit-frame-pointer \
		-fno-sanitize-recover=all

SRCS =		cm.c agent.c client.c session.c autoconfirm.c ring.c proto.c \
		tmux.c confirm.c profile.c rules.c shell.c policy.c remote.c util.c
HDRS =		cm.h agent.h
UNIT_SRCS =	proto.c util.c confirm.c profile.c rules.c shell.c policy.c

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

# The same tests, with a binary built under ASan and UBSan.
check:
	$(MAKE) clean
	$(MAKE) CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" test
	$(MAKE) clean

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

install: cm
	mkdir -p $(DESTDIR)$(BINDIR)
	cp cm $(DESTDIR)$(BINDIR)/cm

clean:
	rm -f cm tests/unit tests/fuzz_proto bench/lat

.PHONY: all test check bench drift install clean
