/*
 * tests/fuzz/fuzz_hello.c: libFuzzer target for the answer of a remote
 * "cm remote-hello", which a hostile or broken far end controls: the input
 * is what ssh's stdout brought, in a buffer whose limit is its size (as if
 * the answer filled remote.c's buffer), given to remote_hello_parse.
 *
 * Invariants checked (abort = finding): an accepted answer gives an
 * absolute socket path and a token, each NUL-terminated inside its array,
 * neither holding a control byte, the token only hex digits.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

#define must(c) do { if (!(c)) abort(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	struct buf	 b;
	char		 rsock[CM_PATH_MAX], token[CM_TOKEN_MAX + 1];
	size_t		 i, n;

	buf_init(&b, size > 0 ? size : 1);
	if (size > 0)
		must(buf_add(&b, d, size) == 0);
	if (remote_hello_parse(&b, rsock, sizeof rsock, token,
	    sizeof token) == 0) {
		n = strnlen(rsock, sizeof rsock);
		must(n < sizeof rsock && rsock[0] == '/');
		for (i = 0; i < n; i++)
			must((unsigned char)rsock[i] >= 0x20 &&
			    rsock[i] != 0x7f);
		n = strnlen(token, sizeof token);
		must(n > 0 && n < sizeof token);
		must(strspn(token, "0123456789abcdefABCDEF") == n);
	}
	buf_free(&b);
	return (0);
}
