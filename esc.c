/*
 * esc.c: bytes from elsewhere (the wire, a remote agent, a screen) made safe
 * to print: for a terminal, where no control byte and no invalid UTF-8 may
 * reach it, and for JSON, which must always be valid UTF-8.
 *
 * Invariants: no I/O and no global state; what esc_text writes holds no byte
 * below 0x20 but those its flags allow (tab never, newline with ESC_LINES),
 * no 0x7f, no C1 control (U+0080 to U+009F) and only valid UTF-8; what
 * esc_json writes is one JSON string, valid UTF-8, that a strict parser
 * takes.  Both are total: every byte string has an output.
 */

#include <sys/types.h>

#include <string.h>

#include "cm.h"

static const char hexdigits[] = "0123456789abcdef";

/*
 * The length (1 to 4) of the valid UTF-8 sequence at p, or 0 if the bytes
 * there are not one: a stray continuation byte, a truncated sequence, an
 * overlong form, a surrogate or a code point past U+10FFFF.  Puts the code
 * point in *cp.
 */
size_t
utf8_seq(const void *s, size_t n, uint32_t *cp)
{
	const unsigned char	*p = s;
	uint32_t		 c;
	size_t			 len, i;

	if (n == 0)
		return (0);
	if (p[0] < 0x80) {
		*cp = p[0];
		return (1);
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07;
	} else
		return (0);
	if (n < len)
		return (0);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (0);
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return (0);
	*cp = c;
	return (len);
}

static int
add_hex(struct buf *b, unsigned char c)
{
	char	 t[4];

	t[0] = '\\';
	t[1] = 'x';
	t[2] = hexdigits[c >> 4];
	t[3] = hexdigits[c & 0xf];
	return (buf_add(b, t, 4));
}

/* An SGR sequence at p: ESC [ digits ; : ... m.  Its length, or 0. */
static size_t
sgr_len(const unsigned char *p, size_t n)
{
	size_t	 i;

	if (n < 3 || p[0] != 0x1b || p[1] != '[')
		return (0);
	for (i = 2; i < n && i < 64; i++) {
		if (p[i] == 'm')
			return (i + 1);
		if (!((p[i] >= '0' && p[i] <= '9') || p[i] == ';' ||
		    p[i] == ':'))
			return (0);
	}
	return (0);
}

/*
 * Append n bytes for a terminal.  Printable ASCII and valid UTF-8 (but C1
 * controls) are themselves; a backslash is "\\", tab, newline and return are
 * "\t", "\n", "\r", and every other byte -- control bytes, DEL, the bytes of
 * a C1 control, bytes that are not valid UTF-8 -- is "\xHH", so nothing the
 * bytes hold can move the cursor, set the title or clear the screen.  With
 * ESC_LINES a newline is kept as it is; with ESC_SGR, so are SGR sequences
 * (colours and attributes: ESC [ ... m) and nothing else.
 */
int
esc_text(struct buf *b, const void *s, size_t n, int flags)
{
	const unsigned char	*p = s;
	size_t			 i = 0, k, start;
	uint32_t		 cp;
	unsigned char		 c;

	while (i < n) {
		/* A run of bytes that are themselves. */
		start = i;
		while (i < n && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			i++;
		if (i > start && buf_add(b, p + start, i - start) == -1)
			return (-1);
		if (i == n)
			break;
		c = p[i];
		if (c == '\\') {
			if (buf_add(b, "\\\\", 2) == -1)
				return (-1);
			i++;
			continue;
		}
		if (c == '\n' && (flags & ESC_LINES)) {
			if (buf_add(b, "\n", 1) == -1)
				return (-1);
			i++;
			continue;
		}
		if (c == 0x1b && (flags & ESC_SGR) &&
		    (k = sgr_len(p + i, n - i)) > 0) {
			if (buf_add(b, p + i, k) == -1)
				return (-1);
			i += k;
			continue;
		}
		if (c >= 0x80 && (k = utf8_seq(p + i, n - i, &cp)) > 0 &&
		    cp > 0x9f) {
			if (buf_add(b, p + i, k) == -1)
				return (-1);
			i += k;
			continue;
		}
		if (c == '\t' || c == '\n' || c == '\r') {
			if (buf_add(b, c == '\t' ? "\\t" : c == '\n' ? "\\n" :
			    "\\r", 2) == -1)
				return (-1);
			i++;
			continue;
		}
		if (add_hex(b, c) == -1)
			return (-1);
		i++;
	}
	return (0);
}

static int
add_u(struct buf *b, uint32_t c)
{
	char	 t[6];

	t[0] = '\\';
	t[1] = 'u';
	t[2] = hexdigits[c >> 12 & 0xf];
	t[3] = hexdigits[c >> 8 & 0xf];
	t[4] = hexdigits[c >> 4 & 0xf];
	t[5] = hexdigits[c & 0xf];
	return (buf_add(b, t, 6));
}

/*
 * Append n bytes as one JSON string, quotes included.  Valid UTF-8 is
 * itself, but for control characters (C0, DEL, C1) and U+2028 and U+2029,
 * which are written \uXXXX (or \n, \t, \r, \b, \f); a byte that is not part
 * of valid UTF-8 is written \u00XX with its own value, so the string decodes
 * as if that byte were Latin-1.  The output is always valid UTF-8 and valid
 * JSON, whatever the input.
 */
int
esc_json(struct buf *b, const void *s, size_t n)
{
	const unsigned char	*p = s;
	size_t			 i = 0, k, start;
	uint32_t		 cp;
	unsigned char		 c;
	const char		*e;

	if (buf_add(b, "\"", 1) == -1)
		return (-1);
	while (i < n) {
		start = i;
		while (i < n && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' &&
		    p[i] != '\\')
			i++;
		if (i > start && buf_add(b, p + start, i - start) == -1)
			return (-1);
		if (i == n)
			break;
		c = p[i];
		e = NULL;
		switch (c) {
		case '"':
			e = "\\\"";
			break;
		case '\\':
			e = "\\\\";
			break;
		case '\n':
			e = "\\n";
			break;
		case '\t':
			e = "\\t";
			break;
		case '\r':
			e = "\\r";
			break;
		case '\b':
			e = "\\b";
			break;
		case '\f':
			e = "\\f";
			break;
		}
		if (e != NULL) {
			if (buf_add(b, e, 2) == -1)
				return (-1);
			i++;
			continue;
		}
		if (c >= 0x80 && (k = utf8_seq(p + i, n - i, &cp)) > 0) {
			if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029) {
				if (add_u(b, cp) == -1)
					return (-1);
			} else if (buf_add(b, p + i, k) == -1)
				return (-1);
			i += k;
			continue;
		}
		/* A control byte, DEL, or a byte of invalid UTF-8. */
		if (add_u(b, c) == -1)
			return (-1);
		i++;
	}
	return (buf_add(b, "\"", 1));
}
