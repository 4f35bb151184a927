/*
 * shell.c: split a POSIX shell command line into simple commands, words
 * and redirections, the way sh(1) would before it expands anything, so the
 * auto-confirm policy can read what a prompt would run.  It never executes
 * or expands anything.
 *
 * What it understands: blanks, single quotes, double quotes (with \ before
 * $ ` " \ and newline), backslash escapes, bash's $'...' (decoded), comments,
 * the operators && || ; | and newline between commands, and redirections
 * ([N]< > >> >| <> >& <& &> &>>) with their targets.  Everything else that
 * could make the command do something its words do not show is refused
 * with a reason: command and process substitution, arithmetic expansion
 * ($((...)) and the old $[...]), here-documents,
 * subshells and groups, shell keywords, backgrounding, backslash-newline,
 * unbalanced quotes, control bytes.  Each word is marked with what the
 * shell would still do to it (expand a variable, a glob, a tilde, braces),
 * so the policy can refuse what depends on values cm cannot see; a quoted
 * blank or operator inside {a,' '} or [a' '] does not hide the braces or
 * the pattern from that mark.
 *
 * Invariants: no recursion, no allocation; every array is bounded by a
 * named limit (input past one is refused, never truncated); on success
 * every word is a NUL-terminated string inside the result's own storage.
 */

#include <string.h>

#include "cm.h"

#define SH_BRACE_DEPTH	16	/* nested {...} in a word, counted */

/* Shell keywords that start compound commands: not simple commands. */
static const char *const keywords[] = {
	"if", "then", "else", "elif", "fi", "for", "while", "until", "do",
	"done", "case", "esac", "select", "function", "!", "[[", "]]", "{",
	"}", "coproc", "time", NULL
};

struct sh_state {
	struct sh_parse	*p;
	const char	*s;
	size_t		 n;
	size_t		 i;
	int		 cmd;		/* current command, or -1 */
	int		 word_open;	/* building a word */
	int		 redir_pending;	/* next word is a redirection target */
	int		 brace_depth;	/* unquoted '{' open in the word */
	unsigned int	 brace_sep;	/* bit d: a ',' or ".." at depth d */
	int		 bracket_open;	/* the word has an unquoted '[' */
};

static int
refuse(struct sh_state *st, const char *why)
{
	struct sh_parse	*p = st->p;

	snprintf(p->why, sizeof p->why, "%s", why);
	p->why_at = st->i;
	return (-1);
}

/*
 * Append one byte to the word being built.  A ',' or ".." after an unquoted
 * '{', or a ']' after an unquoted '[', quoted or not, makes the word a
 * possible brace expansion or pattern: bash reads {a,' '} and [a' '] as
 * such, with the blank inside them quoted.
 */
static int
put(struct sh_state *st, char c)
{
	struct sh_parse	*p = st->p;
	struct sh_word	*w = &p->words[p->nwords - 1];

	if (p->used + 2 > sizeof p->store)
		return (refuse(st, "command longer than cm reads"));
	if (st->brace_depth > 0 && (c == ',' || (c == '.' && p->used >
	    w->off && p->store[p->used - 1] == '.')))
		st->brace_sep |= 1u << st->brace_depth;
	if (st->bracket_open && c == ']')
		w->flags |= SH_W_GLOB;
	p->store[p->used++] = c;
	p->store[p->used] = '\0';
	return (0);
}

/* Start a simple command if none is open. */
static int
cmd_open(struct sh_state *st)
{
	struct sh_parse	*p = st->p;
	struct sh_cmd	*c;

	if (st->cmd != -1)
		return (0);
	if (p->ncmds >= SH_CMDS_MAX)
		return (refuse(st, "more simple commands than cm reads"));
	c = &p->cmds[p->ncmds];
	memset(c, 0, sizeof *c);
	c->word0 = p->nwords;
	c->redir0 = p->nredirs;
	c->op = SH_END;
	st->cmd = p->ncmds++;
	return (0);
}

/* Start a new word. */
static int
word_open(struct sh_state *st)
{
	struct sh_parse	*p = st->p;
	struct sh_word	*w;

	if (st->word_open)
		return (0);
	if (cmd_open(st) == -1)
		return (-1);
	if (p->nwords >= SH_WORDS_MAX)
		return (refuse(st, "more words than cm reads"));
	if (p->used + 1 > sizeof p->store)
		return (refuse(st, "command longer than cm reads"));
	w = &p->words[p->nwords++];
	w->off = p->used;
	w->flags = 0;
	p->store[p->used] = '\0';
	st->word_open = 1;
	st->brace_depth = st->bracket_open = 0;
	st->brace_sep = 0;
	return (0);
}

/* The word being built is complete. */
static int
word_close(struct sh_state *st)
{
	struct sh_parse	*p = st->p;
	struct sh_cmd	*c;
	struct sh_word	*w;
	const char	*t;
	size_t		 k;
	int		 i;

	if (!st->word_open)
		return (0);
	c = &p->cmds[st->cmd];	/* a word is open: so is its command */
	st->word_open = 0;
	if (p->used + 1 > sizeof p->store)
		return (refuse(st, "command longer than cm reads"));
	p->used++;	/* keep the NUL */
	w = &p->words[p->nwords - 1];
	t = p->store + w->off;
	if (st->redir_pending) {
		st->redir_pending = 0;
		p->redirs[p->nredirs - 1].word = p->nwords - 1;
		w->flags |= SH_W_REDIR;
		return (0);
	}
	if (c->nwords == c->nassigns && !(w->flags & SH_W_QUOTED)) {
		/* NAME=value before the command: an assignment. */
		k = strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
		    "VWXYZ_0123456789");
		if (k > 0 && t[k] == '=' && !(t[0] >= '0' && t[0] <= '9')) {
			w->flags |= SH_W_ASSIGN;
			c->nassigns++;
			c->nwords++;
			return (0);
		}
		if (!(w->flags & SH_W_LITERAL_START)) {
			for (i = 0; keywords[i] != NULL; i++) {
				if (strcmp(t, keywords[i]) == 0)
					return (refuse(st, "shell keyword "
					    "(a compound command)"));
			}
		}
	}
	c->nwords++;
	return (0);
}

/* End the current simple command with operator op. */
static int
cmd_close(struct sh_state *st, int op)
{
	struct sh_parse	*p = st->p;

	if (word_close(st) == -1)
		return (-1);
	if (st->redir_pending)
		return (refuse(st, "redirection without a target"));
	if (st->cmd == -1) {
		/* Nothing since the last operator: an empty line, or a line
		 * break after && || | (which continues the command).  A ';'
		 * there is a syntax error to bash. */
		if (op == SH_END || (op == SH_SEMI && st->i < st->n &&
		    st->s[st->i] == '\n'))
			return (0);
		return (refuse(st, "operator with no command before it"));
	}
	p->cmds[st->cmd].op = op;
	st->cmd = -1;
	return (0);
}

/* Is c a byte that ends an unquoted word? */
static int
metachar(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' ||
	    c == '|' || c == '<' || c == '>' || c == '(' || c == ')');
}

/* A redirection operator at st->i; fd is its explicit descriptor or -1. */
static int
redirection(struct sh_state *st, int fd)
{
	struct sh_parse	*p = st->p;
	struct sh_redir	*r;
	const char	*s = st->s + st->i;
	size_t		 left = st->n - st->i, len;
	int		 op;

	if (left >= 3 && memcmp(s, "<<<", 3) == 0)
		return (refuse(st, "here-string"));
	if (left >= 2 && memcmp(s, "<<", 2) == 0)
		return (refuse(st, "here-document"));
	if (left >= 2 && (memcmp(s, "<(", 2) == 0 || memcmp(s, ">(", 2) == 0))
		return (refuse(st, "process substitution"));
	if (left >= 3 && memcmp(s, "&>>", 3) == 0) {
		op = SH_R_APPEND;
		len = 3;
		fd = SH_FD_BOTH;
	} else if (left >= 2 && memcmp(s, "&>", 2) == 0) {
		op = SH_R_OUT;
		len = 2;
		fd = SH_FD_BOTH;
	} else if (left >= 2 && memcmp(s, ">>", 2) == 0) {
		op = SH_R_APPEND;
		len = 2;
	} else if (left >= 2 && memcmp(s, ">|", 2) == 0) {
		op = SH_R_OUT;
		len = 2;
	} else if (left >= 2 && memcmp(s, "<>", 2) == 0) {
		op = SH_R_RDWR;
		len = 2;
	} else if (left >= 2 && memcmp(s, ">&", 2) == 0) {
		op = SH_R_DUPOUT;
		len = 2;
	} else if (left >= 2 && memcmp(s, "<&", 2) == 0) {
		op = SH_R_DUPIN;
		len = 2;
	} else if (s[0] == '>') {
		op = SH_R_OUT;
		len = 1;
	} else {
		op = SH_R_IN;
		len = 1;
	}
	if (cmd_open(st) == -1)
		return (-1);
	if (p->nredirs >= SH_REDIRS_MAX)
		return (refuse(st, "more redirections than cm reads"));
	r = &p->redirs[p->nredirs++];
	r->op = op;
	r->fd = fd != -1 ? fd : (op == SH_R_IN || op == SH_R_DUPIN ||
	    op == SH_R_RDWR) ? 0 : 1;
	r->word = -1;
	p->cmds[st->cmd].nredirs++;
	st->i += len;
	st->redir_pending = 1;
	return (0);
}

/* $'...': append the decoded string.  st->i is just past the opening '. */
static int
ansi_c(struct sh_state *st)
{
	const char	*s = st->s;
	unsigned int	 v;
	int		 k;
	char		 c;

	while (st->i < st->n && s[st->i] != '\'') {
		c = s[st->i++];
		if (c == '\0')
			return (refuse(st, "NUL byte in $'...'"));
		if (c != '\\') {
			if (put(st, c) == -1)
				return (-1);
			continue;
		}
		if (st->i >= st->n)
			break;
		c = s[st->i++];
		switch (c) {
		case 'n': c = '\n'; break;
		case 't': c = '\t'; break;
		case 'r': c = '\r'; break;
		case 'a': c = '\a'; break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'v': c = '\v'; break;
		case 'e': case 'E': c = 033; break;
		case 'x':
			for (v = 0, k = 0; k < 2 && st->i < st->n &&
			    strchr("0123456789abcdefABCDEF", s[st->i]) != NULL &&
			    s[st->i] != '\0'; k++, st->i++)
				v = v * 16 + (unsigned int)(s[st->i] <= '9' ?
				    s[st->i] - '0' : (s[st->i] | 0x20) - 'a' + 10);
			if (k == 0)
				return (refuse(st, "$'\\x' without digits"));
			c = (char)v;
			break;
		case 'u': case 'U': case 'c':
			return (refuse(st, "$'...' escape cm does not decode"));
		default:
			if (c >= '0' && c <= '7') {
				v = (unsigned int)(c - '0');
				for (k = 1; k < 3 && st->i < st->n &&
				    s[st->i] >= '0' && s[st->i] <= '7'; k++)
					v = v * 8 + (unsigned int)(s[st->i++] -
					    '0');
				c = (char)v;
			} else if (strchr("\\'\"?", c) == NULL) {
				/* Only \\ \' \" \? stand for themselves:
				 * bash keeps the backslash of any other. */
				if (put(st, '\\') == -1)
					return (-1);
			}
			break;
		}
		if (c == '\0')
			return (refuse(st, "NUL byte in $'...'"));
		if (put(st, c) == -1)
			return (-1);
	}
	if (st->i >= st->n)
		return (refuse(st, "unbalanced quote"));
	st->i++;
	return (0);
}

/*
 * A '$' at st->i, unquoted or inside double quotes: mark the word, or refuse
 * what runs a command.  Returns 1 if it consumed "$'" (ANSI-C quoting).
 */
static int
dollar(struct sh_state *st, int in_dq)
{
	struct sh_word	*w = &st->p->words[st->p->nwords - 1];
	const char	*s = st->s + st->i;
	size_t		 left = st->n - st->i;

	if (left >= 3 && s[1] == '(' && s[2] == '(') {
		w->flags |= SH_W_EXPAND;	/* arithmetic */
		return (refuse(st, "arithmetic expansion"));
	}
	if (left >= 2 && s[1] == '(')
		return (refuse(st, "command substitution $(...)"));
	if (left >= 2 && s[1] == '[')
		return (refuse(st, "arithmetic expansion $[...]"));
	if (left >= 2 && s[1] == '\'' && !in_dq)
		return (1);
	if (left >= 2 && s[1] == '"' && !in_dq) {
		/* $"...": a translated string; treat as a plain one. */
		st->i++;
		return (0);
	}
	if (left >= 2 && (s[1] == '{' || s[1] == '_' || s[1] == '@' ||
	    s[1] == '*' || s[1] == '#' || s[1] == '?' || s[1] == '-' ||
	    s[1] == '$' || s[1] == '!' || (s[1] >= '0' && s[1] <= '9') ||
	    (s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z')))
		w->flags |= SH_W_EXPAND;
	return (0);
}

/*
 * Parse s[0..n).  Returns 0 with the commands in p, or -1 with the reason in
 * p->why: the command cannot be read without running something, or is past
 * a limit.
 */
int
shell_parse(const char *s, size_t n, struct sh_parse *p)
{
	struct sh_state	 st;
	struct sh_word	*w;
	char		 c;
	int		 fd, r;
	size_t		 j;

	memset(&st, 0, sizeof st);
	p->ncmds = p->nwords = p->nredirs = 0;
	p->used = 0;
	p->store[0] = '\0';
	p->why[0] = '\0';
	p->why_at = 0;
	st.p = p;
	st.s = s;
	st.n = n;
	st.cmd = -1;
	if (n > SH_INPUT_MAX)
		return (refuse(&st, "command longer than cm reads"));
	while (st.i < n) {
		c = s[st.i];
		if (c == '\0')
			return (refuse(&st, "NUL byte"));
		if ((unsigned char)c < 0x20 && c != '\t' && c != '\n')
			return (refuse(&st, "control character"));
		if (c == 0x7f)
			return (refuse(&st, "control character"));
		if (!st.word_open && (c == ' ' || c == '\t')) {
			st.i++;
			continue;
		}
		if (!st.word_open && c == '#') {
			/* A comment, to the end of the line. */
			while (st.i < n && s[st.i] != '\n')
				st.i++;
			continue;
		}
		if (metachar(c)) {
			if (word_close(&st) == -1)
				return (-1);
			if (c == ' ' || c == '\t') {
				st.i++;
				continue;
			}
			if (c == '(' || c == ')')
				return (refuse(&st, "subshell or group"));
			if (st.redir_pending && (c == '<' || c == '>' ||
			    (c == '&' && st.i + 1 < n && s[st.i + 1] == '>')))
				return (refuse(&st, "redirection without a "
				    "target"));
			if (c == '<' || c == '>') {
				if (redirection(&st, -1) == -1)
					return (-1);
				continue;
			}
			if (c == '&' && st.i + 1 < n && s[st.i + 1] == '>') {
				if (redirection(&st, -1) == -1)
					return (-1);
				continue;
			}
			if (c == '&' && st.i + 1 < n && s[st.i + 1] == '&') {
				r = cmd_close(&st, SH_AND);
				st.i += 2;
			} else if (c == '|' && st.i + 1 < n &&
			    s[st.i + 1] == '|') {
				r = cmd_close(&st, SH_OR);
				st.i += 2;
			} else if (c == '|' && st.i + 1 < n &&
			    s[st.i + 1] == '&')
				return (refuse(&st, "|& pipes standard error"));
			else if (c == '|') {
				r = cmd_close(&st, SH_PIPE);
				st.i++;
			} else if (c == '&')
				return (refuse(&st, "& runs in the background"));
			else if (c == ';' && st.i + 1 < n && s[st.i + 1] == ';')
				return (refuse(&st, ";; (case)"));
			else if (c == ';' && st.i + 1 < n && s[st.i + 1] == '&')
				return (refuse(&st, ";& (case)"));
			else {
				/* ';' or newline. */
				r = cmd_close(&st, SH_SEMI);
				st.i++;
			}
			if (r == -1)
				return (-1);
			continue;
		}
		/* A word, or more of one. */
		if (!st.word_open) {
			/* Digits right before < or >: a descriptor. */
			j = st.i;
			while (j < n && s[j] >= '0' && s[j] <= '9' &&
			    j - st.i < 4)
				j++;
			if (j > st.i && j < n && (s[j] == '<' || s[j] == '>')) {
				fd = 0;
				for (; st.i < j; st.i++)
					fd = fd * 10 + (s[st.i] - '0');
				if (st.redir_pending)
					return (refuse(&st, "redirection "
					    "without a target"));
				if (redirection(&st, fd) == -1)
					return (-1);
				continue;
			}
			if (c == '{' && st.i + 1 < n && (s[st.i + 1] == ' ' ||
			    s[st.i + 1] == '\n' || s[st.i + 1] == '\t'))
				return (refuse(&st, "subshell or group"));
			if (word_open(&st) == -1)
				return (-1);
			w = &p->words[p->nwords - 1];
			if (c == '\\' || c == '\'' || c == '"')
				w->flags |= SH_W_LITERAL_START;
			if (c == '~')
				w->flags |= SH_W_TILDE;
		}
		w = &p->words[p->nwords - 1];
		switch (c) {
		case '\\':
			if (st.i + 1 >= n)
				return (refuse(&st, "backslash at the end"));
			if (s[st.i + 1] == '\n')
				return (refuse(&st, "backslash-newline"));
			w->flags |= SH_W_QUOTED;
			if (put(&st, s[st.i + 1]) == -1)
				return (-1);
			st.i += 2;
			break;
		case '\'':
			w->flags |= SH_W_QUOTED;
			for (st.i++; st.i < n && s[st.i] != '\''; st.i++) {
				if (s[st.i] == '\0')
					return (refuse(&st, "NUL byte"));
				if (put(&st, s[st.i]) == -1)
					return (-1);
			}
			if (st.i >= n)
				return (refuse(&st, "unbalanced quote"));
			st.i++;
			break;
		case '"':
			w->flags |= SH_W_QUOTED;
			for (st.i++; st.i < n && s[st.i] != '"'; st.i++) {
				c = s[st.i];
				if (c == '\0')
					return (refuse(&st, "NUL byte"));
				if (c == '`')
					return (refuse(&st, "command "
					    "substitution `...`"));
				if (c == '$') {
					if (dollar(&st, 1) == -1)
						return (-1);
				}
				if (c == '\\' && st.i + 1 < n &&
				    strchr("$`\"\\\n", s[st.i + 1]) != NULL) {
					if (s[st.i + 1] == '\n')
						return (refuse(&st,
						    "backslash-newline"));
					st.i++;
					c = s[st.i];
				}
				if (put(&st, c) == -1)
					return (-1);
			}
			if (st.i >= n)
				return (refuse(&st, "unbalanced quote"));
			st.i++;
			break;
		case '`':
			return (refuse(&st, "command substitution `...`"));
		case '$':
			if ((r = dollar(&st, 0)) == -1)
				return (-1);
			if (r == 1) {
				w->flags |= SH_W_QUOTED;
				st.i += 2;
				if (ansi_c(&st) == -1)
					return (-1);
				break;
			}
			if (st.i < n && s[st.i] == '"')
				break;	/* $"..." */
			if (put(&st, c) == -1)
				return (-1);
			st.i++;
			break;
		case '[':
			/* A pattern only with its ']' in the same word (put()
			 * marks it when the ']' comes). */
			if (put(&st, c) == -1)
				return (-1);
			st.bracket_open = 1;
			st.i++;
			break;
		case '*': case '?':
			w->flags |= SH_W_GLOB;
			if (put(&st, c) == -1)
				return (-1);
			st.i++;
			break;
		case '{':
			/* Brace expansion: {a,b} or {1..3}, its braces
			 * unquoted; put() notes the ',' or ".." at each
			 * depth (HEAD@{1}..HEAD@{2} is none).  Deeper than
			 * cm counts: taken for one. */
			if (put(&st, c) == -1)
				return (-1);
			if (st.brace_depth >= SH_BRACE_DEPTH)
				w->flags |= SH_W_BRACE;
			else
				st.brace_depth++;
			st.brace_sep &= ~(1u << st.brace_depth);
			st.i++;
			break;
		case '}':
			if (st.brace_depth > 0) {
				if (st.brace_sep & (1u << st.brace_depth))
					w->flags |= SH_W_BRACE;
				st.brace_depth--;
			}
			if (put(&st, c) == -1)
				return (-1);
			st.i++;
			break;
		case '=':
			/* "x=~/a": a tilde after '=' or ':' expands too. */
			if (st.i + 1 < n && s[st.i + 1] == '~')
				w->flags |= SH_W_TILDE;
			if (put(&st, c) == -1)
				return (-1);
			st.i++;
			break;
		default:
			if (put(&st, c) == -1)
				return (-1);
			st.i++;
			break;
		}
	}
	if (cmd_close(&st, SH_END) == -1)
		return (-1);
	if (p->ncmds > 0 && p->cmds[p->ncmds - 1].op != SH_END &&
	    p->cmds[p->ncmds - 1].op != SH_SEMI)
		return (refuse(&st, "operator with no command after it"));
	if (p->ncmds > 0)
		p->cmds[p->ncmds - 1].op = SH_END;
	return (0);
}

/* Word k of simple command c (assignments count as words). */
const char *
shell_word(const struct sh_parse *p, const struct sh_cmd *c, int k)
{
	int	 i, w;

	/* A command's words are contiguous but for its redirection
	 * targets, which are words too: skip those. */
	for (i = c->word0, w = 0; i < p->nwords; i++) {
		if (p->words[i].flags & SH_W_REDIR)
			continue;
		if (w++ == k)
			return (p->store + p->words[i].off);
	}
	return ("");
}

/* The flags of word k of c, as shell_word counts. */
int
shell_word_flags(const struct sh_parse *p, const struct sh_cmd *c, int k)
{
	int	 i, w;

	for (i = c->word0, w = 0; i < p->nwords; i++) {
		if (p->words[i].flags & SH_W_REDIR)
			continue;
		if (w++ == k)
			return (p->words[i].flags);
	}
	return (0);
}

/* Name of an operator, for explanations. */
const char *
shell_op_name(int op)
{
	switch (op) {
	case SH_AND:	return ("&&");
	case SH_OR:	return ("||");
	case SH_PIPE:	return ("|");
	case SH_SEMI:	return (";");
	default:	return ("");
	}
}
