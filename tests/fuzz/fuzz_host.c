/*
 * tests/fuzz/fuzz_host.c: libFuzzer target for the -H host spec
 * ("[user@]host[:port]", "[v6addr]:port", also from CM_HOST and the config
 * file's host and use lines), which ends up in ssh's argv: the input after
 * its first byte, up to a NUL, goes to remote_host_split (remote.c) with a
 * destination and a port of exactly CM_HOST_MAX and 8 bytes, and again
 * with a destination, a port and a message of sizes taken from the first
 * byte, each in a heap block of that size (so ASan sees any overflow).
 *
 * Invariants checked (abort = finding): a refused spec leaves dest and port
 * empty and a message naming it ("bad host" or "bad port"); an accepted one
 * is shorter than CM_HOST_MAX and gives a dest of letters, digits and
 * "@.:_-%[]" that does not start with '-', whose host (after its last '@')
 * is not empty, does not start with '-' and has no bracket, no longer than
 * the spec; a port that is empty or a number from 1 to 65535 in at most 7
 * digits; the bracketed form written back from dest and port gives them
 * again; smaller buffers give the same answer or a refusal, never a cut.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

#define must(c) do { if (!(c)) abort(); } while (0)

#define SPEC_MAX	(2 * CM_HOST_MAX)	/* bytes of the spec fed */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char	 dest_chars[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.:_-%[]";

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	char		 spec[SPEC_MAX + 1], dest[CM_HOST_MAX], port[8];
	char		 cause[SPEC_MAX + 64], again[CM_HOST_MAX + 16];
	char		 dest2[CM_HOST_MAX], port2[8];
	char		*sd, *sp, *sc;
	const char	*at, *host;
	size_t		 n, dlen, plen, clen;
	long		 v;
	int		 r, r2, k;

	if (size < 1)
		return (0);
	n = size - 1 < SPEC_MAX ? size - 1 : SPEC_MAX;
	memcpy(spec, d + 1, n);
	spec[n] = '\0';
	n = strlen(spec);

	memset(dest, 'x', sizeof dest);
	memset(port, 'x', sizeof port);
	cause[0] = '\0';
	r = remote_host_split(spec, dest, sizeof dest, port, sizeof port,
	    cause, sizeof cause);
	must(r == 0 || r == -1);
	if (r == -1) {
		must(dest[0] == '\0' && port[0] == '\0');
		must(strncmp(cause, "bad host", 8) == 0 ||
		    strncmp(cause, "bad port", 8) == 0);
		must(strstr(cause, spec) != NULL);
	} else {
		must(n > 0 && n < CM_HOST_MAX);
		must(strnlen(dest, sizeof dest) < sizeof dest);
		must(strnlen(port, sizeof port) < sizeof port);
		must(dest[0] != '\0' && dest[0] != '-');
		must(strspn(dest, dest_chars) == strlen(dest));
		must(strlen(dest) <= n);
		at = strrchr(dest, '@');
		host = at != NULL ? at + 1 : dest;
		must(host[0] != '\0' && host[0] != '-');
		must(strchr(host, '[') == NULL && strchr(host, ']') == NULL);
		if (port[0] != '\0') {
			must(strspn(port, "0123456789") == strlen(port));
			v = strtol(port, NULL, 10);
			must(v >= 1 && v <= 65535);
		}
		/* Written back, brackets around an address with a colon. */
		k = snprintf(again, sizeof again, "%.*s%s%s%s%s%s",
		    (int)(host - dest), dest, strchr(host, ':') != NULL ? "[" :
		    "", host, strchr(host, ':') != NULL ? "]" : "",
		    port[0] != '\0' ? ":" : "", port);
		must(k > 0 && (size_t)k < sizeof again);
		if ((size_t)k < CM_HOST_MAX) {
			must(remote_host_split(again, dest2, sizeof dest2,
			    port2, sizeof port2, cause, sizeof cause) == 0);
			must(strcmp(dest, dest2) == 0 &&
			    strcmp(port, port2) == 0);
		}
	}

	/* Buffers of the sizes the first byte says, exactly that large. */
	dlen = 1 + (size_t)(d[0] & 0x1f) * 9;	/* 1 to CM_HOST_MAX */
	if (dlen > CM_HOST_MAX)
		dlen = CM_HOST_MAX;
	plen = 1 + (size_t)(d[0] >> 5);		/* 1 to 8 */
	clen = 1 + (size_t)(d[0] * 7 % 64);
	sd = malloc(dlen);
	sp = malloc(plen);
	sc = malloc(clen);
	must(sd != NULL && sp != NULL && sc != NULL);
	r2 = remote_host_split(spec, sd, dlen, sp, plen, sc, clen);
	if (r2 == 0)
		must(r == 0 && strcmp(sd, dest) == 0 && strcmp(sp, port) == 0);
	else
		must(sd[0] == '\0' && sp[0] == '\0' &&
		    strnlen(sc, clen) < clen);
	if (r == 0 && n < dlen && strlen(port) < plen)
		must(r2 == 0);
	free(sd);
	free(sp);
	free(sc);
	return (0);
}
