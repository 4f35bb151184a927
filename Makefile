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

SRCS =		cm.c agent.c client.c session.c autoconfirm.c ring.c proto.c \
		tmux.c confirm.c profile.c rules.c shell.c policy.c remote.c util.c \
		attach.c demo.c fakecli.c notify.c sdnotify.c config.c
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
	rm -f cm tests/unit tests/fuzz_proto bench/lat

.PHONY: all test check bench drift install uninstall clean
