/*
 * confirm.c: screen to state.  Given the text of a pane, its title, whether
 * its process has ended, how long it has been quiet and where its cursor is,
 * say what the program is doing: working, idle at its own input prompt,
 * waiting at a confirmation prompt (and which keys approve it), asking for
 * free text or a secret, stopped on an error, or exited.
 *
 * What each program looks like is data: one profile per program, a table of
 * markers with a version, not a chain of ifs (the built-in ones are here;
 * profile.c keeps the table in use, with the users' own).  The rules that
 * read the tables decide by structure (a question, then options, numbered,
 * under a cursor or in one row, then at most a footer, at the bottom of
 * the screen) rather than by one substring, so a prompt quoted in a
 * conversation or a numbered list in a program's output is not taken for
 * a question.  It also says which permission mode the program shows (one
 * that approves by itself, or not).
 *
 * Invariants: pure (no I/O, no globals written); reads only the bytes it is
 * given; looks at the bottom CM_BOTTOM_ROWS rows only, bottom first.  The
 * approving keys come from the options' labels, never their positions; an
 * option is chosen only when its whole label (wrapped rows and all) reads
 * as approving this once, so one that approves more than once, changes the
 * program's permission mode, or is shortened or cut is never the one
 * chosen; a screen with only part of a prompt is a confirmation with no
 * keys, never idle.  What a prompt would run is read only from a prompt
 * whose top is on the screen, so a command's own text cannot stand in for
 * the prompt's header.
 */

#include <string.h>

#include "cm.h"

#define CM_BOTTOM_ROWS	40	/* rows looked at, from the bottom */
#define CM_OPTIONS_MAX	9	/* numbered options in one prompt */
#define CM_FOOTER_MAX	4	/* rows allowed below the options */
#define CM_QUESTION_GAP	8	/* rows between question and first option */
#define CM_CONTEXT_ROWS	8	/* rows above a question kept with it */
#define CM_PREVIEW_ROWS	12	/* rows of a ruled-off preview below a menu */
#define CM_MARK_ROWS	8	/* non-blank rows searched for a mark */
#define CM_ERROR_ROWS	10	/* non-blank rows searched for an error */
#define CM_CHOICE_BODY_ROWS 20	/* rows between a choice and its question */
#define CM_PARTIAL_ROWS	12	/* non-blank rows searched for a part of a
				   prompt */
#define CM_LABEL_MAX	256	/* an option's label, rows joined */

static const char *const none[] = { NULL };
static const struct mark no_marks[] = { { NULL, S_UNKNOWN, NULL } };

/* Claude Code 2.x. */
static const char *const claude_cmds[] = { "claude", "claude-code", NULL };
static const char *const claude_working[] = {
	"esc to interrupt", "Esc to interrupt", NULL
};
static const char *const claude_title_working[] = {
	"\xe2\xa0\x82", "\xe2\xa0\x90", "\xe2\xa0\x88", "\xe2\xa0\x81",
	"\xe2\xa0\x84", "\xe2\xa0\xa0", "\xe2\xa0\x80",	/* ⠂⠐⠈⠁⠄⠠ */
	"\xe2\x97\x90", "\xe2\x97\x91", NULL	/* ◐◑ (2.1.3xx); in the title
						   only: its footer shows ◐ for
						   the effort level */
};
/* Codex spins a braille dot pattern (⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏) in front of the title. */
static const char *const codex_title_working[] = {
	"\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8",
	"\xe2\xa0\xbc", "\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7",
	"\xe2\xa0\x87", "\xe2\xa0\x8f", NULL
};
/* Gemini says so in its title: "✦  Working… (proj)". */
static const char *const gemini_title_working[] = { "Working", NULL };
/* Its input box: "❯" and a no-break space; the footer under it. */
static const char *const claude_idle[] = {
	"? for shortcuts", "\xe2\x9d\xaf", "> ", "accept edits on", NULL
};
static const char *const claude_errors[] = {
	"API Error", "Invalid API key", "Please run /login",
	"usage limit", "Credit balance is too low", "authentication_error",
	"OAuth token has expired", "Missing API key",
	"Unable to connect to Anthropic services", NULL
};
/* Its input box, and the footers under it: the mode footers of 2.1.3xx
 * ("⏸ manual mode on", "⏵⏵ auto mode on ...") show only there. */
static const char *const claude_box[] = {
	"\xe2\x9d\xaf\xc2\xa0", "? for shortcuts",	/* ❯, no-break space */
	"manual mode on", "auto mode on", "accept edits on", "plan mode on",
	"bypass permissions on", NULL
};
static const char *const claude_hints[] = {
	"Enter to confirm", "Enter to continue", "Enter to select",
	"Esc to cancel", "Tab to amend", NULL
};
static const struct mark claude_marks[] = {
	{ "Select login method", S_ERROR, "login" },
	/* Its last words, when the pane outlives it. */
	{ "Resume this session with:", S_EXITED, "exit-message" },
	{ NULL, S_UNKNOWN, NULL }
};
static const struct mark claude_modes[] = {
	{ "\xe2\x8f\xb5\xe2\x8f\xb5 auto mode on", S_UNKNOWN, "auto" },	/* ⏵⏵ */
	{ "\xe2\x8f\xb5\xe2\x8f\xb5 bypass permissions on", S_UNKNOWN, "bypass" },
	{ "\xe2\x8f\xb5\xe2\x8f\xb5 accept edits on", S_UNKNOWN, "accept-edits" },
	/* Modes in which it asks: a change back is news too. */
	{ "plan mode on", S_UNKNOWN, "plan" },
	{ "manual mode on", S_UNKNOWN, "manual" },
	{ "? for shortcuts", S_UNKNOWN, "manual" },	/* 2.1.197: no word */
	{ NULL, S_UNKNOWN, NULL }
};

/* OpenAI Codex CLI. */
static const char *const codex_cmds[] = { "codex", NULL };
static const char *const codex_working[] = {
	"esc to interrupt", "Esc to interrupt", "Working (", NULL
};
static const char *const codex_idle[] = {
	"\xe2\x80\xba ", "send", "? for shortcuts", NULL	/* › */
};
static const char *const codex_errors[] = {
	"stream error", "unexpected status 401", "Unauthorized",
	"exceeded retry limit", "You've hit your usage limit",
	"Missing environment variable", "experiencing high demand",
	"unexpected status", "\xe2\x96\xa0 {\"error\"",	/* ■ and the API's
							   raw JSON body */
	"invalid_request_error", NULL
};
static const char *const codex_hints[] = {
	"Press enter to confirm", "Press enter to continue", "enter continue",
	"esc to cancel", "Press esc to go back", NULL
};
static const struct mark codex_modes[] = {
	{ "permissions: YOLO mode", S_UNKNOWN, "yolo" },
	{ NULL, S_UNKNOWN, NULL }
};
static const char *const codex_box[] = {
	"? for shortcuts", "Ask Codex to do anything", NULL
};
static const struct mark codex_marks[] = {
	{ "Paste or type your API key", S_INPUT, "api-key" },
	{ "Sign in with ChatGPT", S_ERROR, "login" },
	{ "Sign in another way", S_ERROR, "login" },
	{ "To reconnect, run:", S_EXITED, "exit-message" },
	{ "To continue this session, run codex resume", S_EXITED,
	  "exit-message" },
	{ NULL, S_UNKNOWN, NULL }
};

/* Google Gemini CLI. */
static const char *const gemini_cmds[] = { "gemini", NULL };
/* "⠹ Thinking... (esc to cancel, 5s)"; its dialogs say "Esc to cancel". */
static const char *const gemini_working[] = { "(esc to cancel", NULL };
static const char *const gemini_idle[] = {
	"Type your message", "> ", NULL
};
static const char *const gemini_errors[] = {
	"API key not valid", "[API Error", "Quota exceeded",
	"GEMINI_API_KEY environment variable not found", NULL
};
static const char *const gemini_box[] = {
	"Type your message", "? for shortcuts", NULL
};
static const struct mark gemini_marks[] = {
	{ "Paste your API key here", S_INPUT, "api-key" },
	{ "How would you like to authenticate", S_ERROR, "login" },
	/* Its last words, at the end of the summary box. */
	{ "To resume this session: gemini --resume", S_EXITED,
	  "exit-message" },
	{ NULL, S_UNKNOWN, NULL }
};
static const char *const gemini_hints[] = {
	"Press Enter to submit", "Use Enter to select", "Esc to cancel", NULL
};
static const struct mark gemini_modes[] = {
	{ "YOLO mode", S_UNKNOWN, "yolo" },
	{ "auto-accept edits", S_UNKNOWN, "accept-edits" },
	{ "Shift+Tab to accept edits", S_UNKNOWN, "manual" },
	{ NULL, S_UNKNOWN, NULL }
};

/*
 * opencode 1.x.  A full-screen program (the alternate screen); its title
 * says nothing about its state.  It works with "esc interrupt" in its
 * footer, idles with "ctrl+p commands" there, and asks with a one-row
 * choice under a "Permission required" heading, "Allow once" selected.
 * Its errors are the provider's own message in a bordered block, so they
 * are known by the providers' words; each turn ends with a "▣  Agent ·
 * model" row.
 */
static const char *const opencode_cmds[] = { "opencode", NULL };
static const char *const opencode_working[] = {
	"esc interrupt", "esc again to interrupt", NULL
};
static const char *const opencode_idle[] = {
	"ctrl+p commands", "Ask anything", NULL
};
static const char *const opencode_errors[] = {
	"Incorrect API key", "Invalid API key", "invalid_api_key",
	"Unauthorized", "API key is missing", "exceeded your current quota",
	"insufficient_quota", "Rate limit reached", "Unable to connect",
	"Cannot connect to API", "Model not found", "model_not_found", NULL
};
static const char *const opencode_box[] = { "ctrl+p commands", NULL };
/* The key hint of its permission prompt: a prompt whose choice row is not
 * one of opencode_choices (reordered, renamed) waits for the person. */
static const char *const opencode_hints[] = { "enter confirm", NULL };
static const char *const opencode_choices[] = {
	"Allow once|Allow always|Reject", "Confirm|Cancel", NULL
};
static const struct mark opencode_marks[] = {
	{ "Continue  opencode -s ", S_EXITED, "exit-message" },
	{ "Connect provider ctrl+a", S_INPUT, "model-picker" },
	{ NULL, S_UNKNOWN, NULL }
};

/*
 * Qwen Code (a Gemini CLI fork).  Its title is "Qwen - DIR", with "◐ " in
 * front while it works and "✳ " while a prompt waits.  Under a prompt it
 * shows a spinner row "Waiting for user confirmation..." that does not
 * move and does not mean working.  It starts by switching to the
 * alternate screen and asking the terminal things, a blank screen with
 * output for a second or so before its first frame: starting.
 */
static const char *const qwen_cmds[] = { "qwen", NULL };
static const char *const qwen_working[] = { "esc to cancel)", NULL };
static const char *const qwen_title_working[] = {
	"\xe2\x97\x90", NULL	/* ◐ */
};
static const char *const qwen_idle[] = {
	"Type your message", "shift + tab to cycle", "> ", NULL
};
static const char *const qwen_errors[] = {
	"\xe2\x9c\x95 ", "[API Error",	/* ✕ */
	"OPENAI_API_KEY environment variable not found", NULL
};
static const char *const qwen_box[] = {
	"Type your message", "shift + tab to cycle", NULL
};
/* Its footer names the approval mode; Shift+Tab cycles them. */
static const struct mark qwen_modes[] = {
	{ "YOLO mode (shift + tab", S_UNKNOWN, "yolo" },
	{ "Auto mode (shift + tab", S_UNKNOWN, "auto" },
	{ "auto-accept edits (shift + tab", S_UNKNOWN, "accept-edits" },
	{ "Ask permissions (shift + tab", S_UNKNOWN, "manual" },
	{ NULL, S_UNKNOWN, NULL }
};
static const char *const qwen_pending[] = {
	"Waiting for user confirmation", NULL
};
static const struct mark qwen_marks[] = {
	{ "Initializing...", S_STARTING, "initializing" },
	{ "Manually connect a local server", S_ERROR, "login" },
	{ "Enter to select, \xe2\x86\x91\xe2\x86\x93 to navigate, Esc to close",
	  S_INPUT, "picker" },	/* ↑↓ */
	{ "To continue this session, run", S_EXITED, "exit-message" },
	{ NULL, S_UNKNOWN, NULL }
};

/* Aider. */
static const char *const aider_cmds[] = { "aider", NULL };
static const char *const aider_working[] = {
	"Waiting for", "Thinking", NULL
};
static const char *const aider_idle[] = { "> ", NULL };
static const char *const aider_errors[] = {
	"litellm.AuthenticationError", "API key", NULL
};

static const struct profile profiles[] = {
	{ "claude", "4", claude_cmds, claude_working, claude_title_working,
	  claude_idle, claude_errors, claude_marks, claude_box, claude_hints,
	  claude_modes, "\xe2\x9d\xaf", NULL, 0, 1, 0, 0, none, none, 0 },
	{ "codex", "4", codex_cmds, codex_working, codex_title_working,
	  codex_idle, codex_errors, codex_marks, codex_box, codex_hints,
	  codex_modes, "\xe2\x80\xba ", "\xe2\x80\xba ", 1, 1, 0, 300, none, none,
	  0 },
	{ "gemini", "4", gemini_cmds, gemini_working, gemini_title_working,
	  gemini_idle, gemini_errors, gemini_marks, gemini_box, gemini_hints,
	  gemini_modes, "> ", "> ", 0, 1, 0, 300, none, none, 0 },
	{ .name = "opencode", .version = "1", .commands = opencode_cmds,
	  .working = opencode_working, .title_working = none,
	  .idle = opencode_idle, .errors = opencode_errors,
	  .marks = opencode_marks, .box = opencode_box,
	  .turn = "\xe2\x96\xa3", .menus = 1, .enter_ms = 300,	/* ▣ */
	  .hints = opencode_hints, .modes = no_marks,
	  .choices = opencode_choices, .pending = none,
	  .blank_starting = 1 },
	{ .name = "qwen", .version = "1", .commands = qwen_cmds,
	  .working = qwen_working, .title_working = qwen_title_working,
	  .idle = qwen_idle, .errors = qwen_errors, .marks = qwen_marks,
	  .box = qwen_box, .hints = none, .modes = qwen_modes,
	  .turn = "> ", .draft = "> ", .menus = 1, .enter_ms = 300,
	  .choices = none, .pending = qwen_pending, .blank_starting = 1 },
	{ "aider", "1", aider_cmds, aider_working, none, aider_idle,
	  aider_errors, no_marks, none, none, no_marks, NULL, NULL, 0, 0, 1,
	  0, none, none, 0 },
	{ "generic", "2", none, none, none, none, none, no_marks, none, none,
	  no_marks, NULL, NULL, 0, 1, 1, 0, none, none, 0 },
};
#define NPROFILES ((int)(sizeof profiles / sizeof profiles[0]))

/*
 * Questions that end a line for ordinary programs: the suffix, and the keys
 * that answer yes.
 */
static const struct {
	const char	*suffix;
	const char	*keys;
} yesno[] = {
	{ "[y/N]", "y Enter" }, { "[Y/n]", "y Enter" },
	{ "[y/n]", "y Enter" }, { "[Y/N]", "y Enter" },
	{ "(y/n)", "y Enter" }, { "(Y/n)", "y Enter" },
	{ "(y/N)", "y Enter" }, { "[yes/no]", "yes Enter" },
	{ "(yes/no)", "yes Enter" }, { "(yes/no/[fingerprint])", "yes Enter" },
	{ NULL, NULL }
};

/* A last line that asks for text or a command: its end. */
static const char *const text_prompts[] = {
	"What now>", "What now> ", NULL	/* git add -i, git clean -i */
};

/* Pagers waiting for a key: the whole last line. */
static const char *const pager_lines[] = { ":", "(END)", NULL };

/* Prompts for a secret or for free text, at the start of the last line. */
static const char *const secret_markers[] = {
	"Password:", "password:", "Password for", "password for",
	"Passphrase", "passphrase", "Enter PIN", "Verification code", NULL
};

/*
 * Options that approve once.  An option is chosen only when cm understands
 * all of its text: its first word says yes, and every other word is one of
 * these (a trailing "(y)", "(esc)" or "(proj)" aside).  So "Yes, and don't
 * ask again", "Allow for this session", "Yes, allow always", "switch to auto
 * mode", a label the program shortened ("Yes, and don…") or one cut at the
 * pane's edge ("Allow for this sessi") is never the one chosen, whatever
 * its place in the list.
 */
static const char *const approving[] = {
	"yes", "allow", "approve", "proceed", "run", "accept", "trust",
	"continue", "ok", NULL
};
/* Words that cannot end a label: one that ends in them goes on on a row
 * cm did not read as its own. */
static const char *const dangling[] = {
	"and", "to", "the", "this", "i", "do", "tell", "what", "go", NULL
};
static const char *const once_words[] = {
	"once", "i", "this", "it", "folder", "and", "tell", "claude", "codex",
	"gemini", "qwen", "what", "to", "do", "next", "now", "go", "ahead",
	"command", "execute", "the", NULL
};

/* A question whose answer sets the program's permission mode ("Make auto
 * mode your default permission mode?", "running in Bypass Permissions
 * mode"): none of its options is one cm may choose. */
static const char *const modal[] = {
	"permission mode", "Permission mode", "Permissions mode",
	"permissions mode", "YOLO", NULL
};

struct row {
	const char	*p;
	size_t		 n;
	int		 rule;	/* was a horizontal rule before trim():
				   1, or 2 inside a box ("│ ╰───╯ │") */
	int		 dash;	/* a rule of dashes (╌╌╌), not a line */
	size_t		 lead;	/* blanks before it on screen */
	int		 indent;	/* columns trim() took from its left */
	int		 width;		/* columns the row takes */
};

/* The built-in profile i (0, 1, ...), or NULL past the last; the last is
 * "generic". */
const struct profile *
profile_builtin(int i)
{
	if (i < 0 || i >= NPROFILES)
		return (NULL);
	return (&profiles[i]);
}

/*
 * Packages that install a profile's program, as npx, bunx, pnpm dlx, uvx or
 * pipx run name them, and the directories they install into (for node
 * .../cli.js and for symlinks).
 */
static const struct {
	const char	*package;
	const char	*dir;
	const char	*profile;
} packages[] = {
	{ "@anthropic-ai/claude-code", "/@anthropic-ai/claude-code/", "claude" },
	{ "@openai/codex", "/@openai/codex/", "codex" },
	{ "@google/gemini-cli", "/@google/gemini-cli/", "gemini" },
	{ "aider-chat", "/aider/", "aider" },
};
#define NPACKAGES ((int)(sizeof packages / sizeof packages[0]))

/* Shells: a foreground program other than the shell is a job it runs. */
static const char *const shells[] = {
	"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "tcsh",
	"csh", "yash", "posh", NULL
};

static const char *
base_name(const char *p)
{
	const char	*b = strrchr(p, '/');

	return (b != NULL ? b + 1 : p);
}

/* A package named as npx does, with or without "@version". */
static int
profile_for_package(const char *p)
{
	size_t	 n;
	int	 k;
	const char *at = strchr(p + (*p == '@'), '@');

	n = at != NULL ? (size_t)(at - p) : strlen(p);
	for (k = 0; k < NPACKAGES; k++) {
		if (strlen(packages[k].package) == n &&
		    memcmp(packages[k].package, p, n) == 0)
			return (profile_find(packages[k].profile));
	}
	return (profile_for_command(p, n));
}

/*
 * The profile for a file's path (a symlink resolved, a script run by node):
 * the package directory it lies in, else its name; -1 if neither tells.
 */
int
profile_for_path(const char *path)
{
	const char	*b;
	int		 k;

	for (k = 0; k < NPACKAGES; k++) {
		if (strstr(path, packages[k].dir) != NULL)
			return (profile_find(packages[k].profile));
	}
	b = base_name(path);
	k = profile_for_command(b, strlen(b));
	return (k == profile_find("generic") ? -1 : k);
}

/*
 * The profile for a command line, looking through the wrappers that run the
 * real program: env [-i] [-u NAME] [NAME=VALUE...], npx/bunx/pnpx/uvx
 * [options] PACKAGE, pnpm/yarn dlx, npm exec, bun x, pipx run, node/bun/deno
 * [options] SCRIPT, nice, nohup, exec, command.  *prog is set to the index
 * of the program's word (-1 if it ends in a wrapper); the generic profile
 * if nothing tells.
 */
int
profile_for_argv(const char *const *argv, int argc, int *prog)
{
	const char	*b;
	int		 i = 0, k, script;

	*prog = -1;
	while (i < argc) {
		b = base_name(argv[i]);
		script = 0;
		if (strcmp(b, "env") == 0) {
			for (i++; i < argc; i++) {
				if (strcmp(argv[i], "-u") == 0 ||
				    strcmp(argv[i], "-C") == 0)
					i++;
				else if (strcmp(argv[i], "-S") == 0 ||
				    strncmp(argv[i], "--split-string", 14) == 0)
					return (profile_find("generic"));
				else if (argv[i][0] != '-' &&
				    strchr(argv[i], '=') == NULL)
					break;
			}
			continue;
		}
		if (strcmp(b, "nice") == 0 || strcmp(b, "nohup") == 0 ||
		    strcmp(b, "exec") == 0 || strcmp(b, "command") == 0) {
			for (i++; i < argc && argv[i][0] == '-'; i++) {
				if (strcmp(argv[i], "-n") == 0)
					i++;
			}
			continue;
		}
		if (strcmp(b, "pnpm") == 0 || strcmp(b, "yarn") == 0 ||
		    strcmp(b, "npm") == 0 || strcmp(b, "bun") == 0 ||
		    strcmp(b, "pipx") == 0) {
			if (i + 1 < argc && (strcmp(argv[i + 1], "dlx") == 0 ||
			    strcmp(argv[i + 1], "exec") == 0 ||
			    strcmp(argv[i + 1], "x") == 0 ||
			    strcmp(argv[i + 1], "run") == 0)) {
				b = "npx";
				i++;
			} else if (strcmp(b, "bun") == 0)
				script = 1;
		}
		if (strcmp(b, "node") == 0 || strcmp(b, "nodejs") == 0 ||
		    strcmp(b, "deno") == 0)
			script = 1;
		if (script) {
			/* node [options] SCRIPT: the script's path tells. */
			for (i++; i < argc && argv[i][0] == '-'; i++) {
				if (strcmp(argv[i], "-r") == 0 ||
				    strcmp(argv[i], "--require") == 0 ||
				    strcmp(argv[i], "--import") == 0 ||
				    strcmp(argv[i], "--loader") == 0)
					i++;
			}
			if (i >= argc || (k = profile_for_path(argv[i])) == -1)
				return (profile_find("generic"));
			*prog = i;
			return (k);
		}
		if (strcmp(b, "npx") == 0 || strcmp(b, "bunx") == 0 ||
		    strcmp(b, "pnpx") == 0 || strcmp(b, "uvx") == 0) {
			for (i++; i < argc; i++) {
				if (strcmp(argv[i], "--") == 0)
					continue;
				if (strcmp(argv[i], "-p") == 0 ||
				    strcmp(argv[i], "--package") == 0 ||
				    strcmp(argv[i], "--from") == 0) {
					if (i + 1 < argc)
						return (profile_for_package(
						    argv[i + 1]));
				} else if (strncmp(argv[i], "--package=", 10) == 0)
					return (profile_for_package(argv[i] + 10));
				else if (strcmp(argv[i], "-c") == 0 ||
				    strcmp(argv[i], "--call") == 0)
					return (profile_find("generic"));
				else if (argv[i][0] != '-')
					break;
			}
			if (i >= argc)
				return (profile_find("generic"));
			*prog = i;
			return (profile_for_package(argv[i]));
		}
		*prog = i;
		return (profile_for_command(argv[i], strlen(argv[i])));
	}
	return (profile_find("generic"));
}

/* Is this program (a path or a name) a shell?  Its name if so, else NULL. */
const char *
shell_name(const char *argv0)
{
	const char	*b = base_name(argv0);
	int		 k;

	if (*b == '-')
		b++;		/* a login shell */
	for (k = 0; shells[k] != NULL; k++) {
		if (strcmp(shells[k], b) == 0)
			return (shells[k]);
	}
	return (NULL);
}

static int
has(const char *s, size_t n, const char *needle)
{
	size_t	 k = strlen(needle), i;

	if (k > n)
		return (0);
	for (i = 0; i + k <= n; i++) {
		if (s[i] == needle[0] && memcmp(s + i, needle, k) == 0)
			return (1);
	}
	return (0);
}

static int
has_any(const char *s, size_t n, const char *const *list)
{
	int	 i;

	for (i = 0; list[i] != NULL; i++) {
		if (has(s, n, list[i]))
			return (1);
	}
	return (0);
}

static int
starts(const char *s, size_t n, const char *prefix)
{
	size_t	 k = strlen(prefix);

	return (n >= k && memcmp(s, prefix, k) == 0);
}

static int
ends(const char *s, size_t n, const char *suffix)
{
	size_t	 k = strlen(suffix);

	return (n >= k && memcmp(s + n - k, suffix, k) == 0);
}

/* Is the glyph at s a box-drawing or frame character (U+2500..U+257F)? */
static size_t
frame_glyph(const char *s, size_t n)
{
	if (n >= 3 && (unsigned char)s[0] == 0xe2 &&
	    ((unsigned char)s[1] == 0x94 || (unsigned char)s[1] == 0x95))
		return (3);
	return (0);
}

/*
 * Columns that n bytes of UTF-8 take on a terminal: two for the wide
 * characters (CJK, Hangul, fullwidth forms, most emoji), none for
 * combining marks and variation selectors, one for the rest.
 */
static int
display_width(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned long		 c;
	size_t			 i = 0, k, j;
	int			 w = 0;

	while (i < n) {
		if (u[i] < 0x80) {
			w++;
			i++;
			continue;
		}
		k = u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : u[i] >= 0xc0 ? 2 : 1;
		c = k == 1 ? u[i] : u[i] & (0x7f >> k);
		for (j = 1; j < k && i + j < n; j++)
			c = (c << 6) | (u[i + j] & 0x3f);
		i += k;
		if ((c >= 0x300 && c <= 0x36f) ||
		    (c >= 0x200b && c <= 0x200f) ||
		    (c >= 0xfe00 && c <= 0xfe0f))
			continue;
		if ((c >= 0x1100 && c <= 0x115f) ||
		    (c >= 0x2e80 && c <= 0xa4cf) ||
		    (c >= 0xac00 && c <= 0xd7a3) ||
		    (c >= 0xf900 && c <= 0xfaff) ||
		    (c >= 0xfe30 && c <= 0xfe4f) ||
		    (c >= 0xff00 && c <= 0xff60) ||
		    (c >= 0xffe0 && c <= 0xffe6) ||
		    (c >= 0x1f300 && c <= 0x1f64f) ||
		    (c >= 0x1f900 && c <= 0x1f9ff) ||
		    (c >= 0x20000 && c <= 0x3fffd))
			w += 2;
		else
			w++;
	}
	return (w);
}

/* Is the glyph at s a block element (U+2580..U+259F: a scrollbar's
 * thumb, "█")? */
static int
block_glyph(const char *s)
{
	return ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x96 &&
	    (unsigned char)s[2] >= 0x80 && (unsigned char)s[2] <= 0x9f);
}

/* Strip blanks and frame glyphs from both ends of a row, and a scrollbar
 * (frame or block glyphs) from its right end. */
static void
trim(struct row *r)
{
	size_t	 g;

	r->indent = 0;
	for (;;) {
		if (r->n > 0 && (r->p[0] == ' ' || r->p[0] == '\t')) {
			r->p++;
			r->n--;
		} else if ((g = frame_glyph(r->p, r->n)) != 0) {
			r->p += g;
			r->n -= g;
		} else
			break;
		r->indent++;
	}
	for (;;) {
		if (r->n > 0 && (r->p[r->n - 1] == ' ' ||
		    r->p[r->n - 1] == '\t' || r->p[r->n - 1] == '\r'))
			r->n--;
		else if (r->n >= 3 && (frame_glyph(r->p + r->n - 3, 3) != 0 ||
		    block_glyph(r->p + r->n - 3)))
			r->n -= 3;
		else
			break;
	}
}

/* A horizontal rule: nothing but frame glyphs, '-' or '=' (at least 10). */
static int
is_rule(const char *s, size_t n)
{
	size_t	 i = 0, count = 0, g;

	while (i < n) {
		if ((g = frame_glyph(s + i, n - i)) != 0) {
			i += g;
			count++;
		} else if (s[i] == '-' || s[i] == '=' || s[i] == ' ') {
			count += s[i] != ' ';
			i++;
		} else
			return (0);
	}
	return (count >= 10);
}

/*
 * Split the bottom of the screen into rows, bottom first, dropping trailing
 * blank rows.  Returns the number of rows (at most max).
 */
static int
bottom_rows(const char *s, size_t n, struct row *rows, int max)
{
	size_t		 end = n, start;
	int		 k = 0, seen = 0;
	const char	*g;

	while (end > 0 && k < max) {
		if (s[end - 1] == '\n')
			end--;
		start = end;
		while (start > 0 && s[start - 1] != '\n')
			start--;
		rows[k].p = s + start;
		rows[k].n = end - start;
		rows[k].rule = is_rule(rows[k].p, rows[k].n);
		rows[k].width = display_width(rows[k].p, rows[k].n);
		trim(&rows[k]);
		/* A rule has ten glyphs or more: three bytes to compare. */
		/* Bounded: the text need not end in a NUL. */
		for (rows[k].lead = 0; start + rows[k].lead < end &&
		    (s[start + rows[k].lead] == ' ' ||
		    s[start + rows[k].lead] == '\t'); rows[k].lead++)
			;
		g = s + start + rows[k].lead;
		if (rows[k].rule && memcmp(g, "\xe2\x94\x82", 3) == 0)
			rows[k].rule = 2;
		/* ╌ ╍ (U+254C, U+254D) or ┄ ┅ ┈ ┉ (U+2504.., U+2508..). */
		rows[k].dash = rows[k].rule && g[0] == '\xe2' &&
		    ((g[1] == '\x95' && (g[2] == '\x8c' || g[2] == '\x8d')) ||
		    (g[1] == '\x94' && (unsigned char)g[2] >= 0x84 &&
		    (unsigned char)g[2] <= 0x8b));
		if (rows[k].n > 0 || rows[k].rule || seen) {
			seen = 1;
			k++;
		}
		end = start;
	}
	return (k);
}

/* An option row: [selector] N. text.  Returns N (1..9) or 0. */
static int
option_row(const struct row *r, int *selected, const char **text,
    size_t *tlen)
{
	const char	*p = r->p;
	size_t		 n = r->n;
	static const char *const marks[] = {
		"\xe2\x9d\xaf", "\xe2\x80\xba", "\xe2\x97\x8f", "\xe2\x97\x8b",
		"\xe2\x96\xb8", "\xe2\x96\xb6", ">", "*", NULL
	};	/* ❯ › ● ○ ▸ ▶ > * */
	int		 i, num;

	*selected = 0;
	for (i = 0; marks[i] != NULL; i++) {
		if (starts(p, n, marks[i])) {
			/* ○ is an unselected radio button. */
			*selected = strcmp(marks[i], "\xe2\x97\x8b") != 0;
			p += strlen(marks[i]);
			n -= strlen(marks[i]);
			while (n > 0 && *p == ' ') {
				p++;
				n--;
			}
			break;
		}
	}
	if (n < 3 || p[0] < '1' || p[0] > '9' || p[1] != '.' || p[2] != ' ')
		return (0);
	num = p[0] - '0';
	*text = p + 3;
	*tlen = n - 3;
	while (*tlen > 0 && **text == ' ') {
		(*text)++;
		(*tlen)--;
	}
	return (num);
}

static int
is_question(const struct row *r)
{
	if (r->n == 0)
		return (0);
	if (r->p[r->n - 1] == '?' || has(r->p, r->n, "? "))
		return (1);
	return (has(r->p, r->n, "Do you want") ||
	    has(r->p, r->n, "Would you like") ||
	    has(r->p, r->n, "Allow ") || has(r->p, r->n, "allow ") ||
	    has(r->p, r->n, "Approve") || has(r->p, r->n, "Permission") ||
	    has(r->p, r->n, "permission"));
}

/* Append text to the verdict's prompt, separated by " / ", bounded. */
static void
prompt_add(struct verdict *v, const char *p, size_t n)
{
	size_t	 have = strlen(v->detail), room;

	if (n == 0)
		return;
	if (have > 0 && have + 3 < sizeof v->detail) {
		memcpy(v->detail + have, " / ", 3);
		have += 3;
	}
	room = sizeof v->detail - 1 - have;
	if (n > room)
		n = room;
	memcpy(v->detail + have, p, n);
	v->detail[have + n] = '\0';
}

/* Does the row read like a shell prompt with a command after it? */
static int
shell_command_row(const struct row *r)
{
	static const char *const prompts[] = { "$ ", "# ", "% ", NULL };
	size_t	 i, k;
	int	 j;

	for (j = 0; prompts[j] != NULL; j++) {
		k = strlen(prompts[j]);
		/* "$ cmd", or "user@host:~/dir$ cmd". */
		for (i = 0; i + k < r->n && i < 80; i++) {
			if (memcmp(r->p + i, prompts[j], k) == 0 &&
			    (i == 0 || r->p[i - 1] != ' '))
				return (r->n > i + k);
		}
	}
	return (0);
}

/*
 * Put what a question is about in front of its prompt: the rows above row q,
 * up to a rule (not a dashed one: Claude draws those around the command
 * inside its prompt), a pair of blank rows, the shell command that asked, or
 * CM_CONTEXT_ROWS, as many of the nearest as fit, so the question and its
 * choices are never cut off.
 */
static void
prompt_context(struct verdict *v, const struct row *rows, int nrows, int q)
{
	char	 out[CM_DETAIL_MAX];
	size_t	 have = strlen(v->detail), room, len = 0;
	int	 top, i;

	room = sizeof v->detail - 1 - have;
	for (top = q; top + 1 < nrows && top + 1 <= q + CM_CONTEXT_ROWS &&
	    (rows[top + 1].rule != 1 || rows[top + 1].dash) &&
	    !(rows[top + 1].n == 0 &&
	    top + 2 < nrows && rows[top + 2].n == 0); top++) {
		if (rows[top + 1].n == 0 || rows[top + 1].rule)
			continue;
		if (len + rows[top + 1].n + 3 > room)
			break;
		len += rows[top + 1].n + 3;
		if (shell_command_row(&rows[top + 1])) {
			top++;
			break;
		}
	}
	if (len == 0)
		return;
	len = 0;
	for (i = top; i > q; i--) {
		if (rows[i].n == 0 || rows[i].rule)
			continue;
		memcpy(out + len, rows[i].p, rows[i].n);
		len += rows[i].n;
		memcpy(out + len, " / ", 3);
		len += 3;
	}
	if (have == 0)
		len -= 3;
	v->core = len;
	memcpy(out + len, v->detail, have);
	len += have;
	out[len] = '\0';
	memcpy(v->detail, out, len + 1);
}

static void
set_rule(struct verdict *v, const struct profile *pr, const char *rule)
{
	size_t	 n = strlen(pr->name);

	if (n + 1 + strlen(rule) >= sizeof v->rule) {
		v->rule[0] = '\0';
		return;
	}
	memcpy(v->rule, pr->name, n);
	v->rule[n] = '/';
	strcpy(v->rule + n + 1, rule);
}

/* Is this row blank or a horizontal rule? */
static int
is_space(const struct row *r)
{
	return (r->n == 0 || r->rule);
}

/* Prompt headers that say what approving does, and the kind they mean. */
static const struct {
	const char	*text;
	int		 kind;
	int		 exact;		/* the whole row, or its start */
} headers[] = {
	/* Claude Code: the row under the prompt's top line. */
	{ "Bash command", PK_SHELL, 1 },
	{ "Create file", PK_EDIT, 1 }, { "Edit file", PK_EDIT, 1 },
	{ "Write file", PK_EDIT, 1 }, { "Overwrite file", PK_EDIT, 1 },
	{ "Fetch", PK_FETCH, 1 }, { "Tool use", PK_TOOL, 1 },
	/* Codex: the question above the command or the patch. */
	{ "Would you like to run the following command?", PK_SHELL, 1 },
	{ "Would you like to make the following edits?", PK_EDIT, 1 },
	/* Gemini CLI: the box's first row. */
	{ "? Shell ", PK_SHELL, 0 }, { "? WriteFile ", PK_EDIT, 0 },
	{ "? Edit ", PK_EDIT, 0 }, { "? WebFetch ", PK_FETCH, 0 },
	/* opencode: the row under "Permission required". */
	{ "# Shell command", PK_SHELL, 1 },
	{ "\xe2\x86\x92 Edit ", PK_EDIT, 0 },		/* → */
	{ "\xe2\x86\x92 Write ", PK_EDIT, 0 },
	{ NULL, PK_NONE, 0 }
};

/* The kind a header row names, or PK_NONE. */
static int
header_kind(const struct row *r)
{
	int	 i;

	for (i = 0; headers[i].text != NULL; i++) {
		if (headers[i].exact ? (r->n == strlen(headers[i].text) &&
		    memcmp(r->p, headers[i].text, r->n) == 0) :
		    starts(r->p, r->n, headers[i].text))
			return (headers[i].kind);
	}
	return (PK_NONE);
}

/* Append a row to the subject, rows separated by '\n'; 0 if it is full. */
static int
subject_add(struct verdict *v, const char *p, size_t n)
{
	size_t	 have = strlen(v->subject);

	if (have + (have > 0) + n + 1 > sizeof v->subject) {
		v->cut = "the command is longer than cm reads";
		return (0);
	}
	if (have > 0)
		v->subject[have++] = '\n';
	memcpy(v->subject + have, p, n);
	v->subject[have + n] = '\0';
	v->rows++;
	return (1);
}

/* The subject is rows hi down to lo (screen order), as they are. */
static void
subject_rows(struct verdict *v, const struct row *rows, int hi, int lo)
{
	int	 i;

	for (i = hi; i >= lo; i--) {
		if (rows[i].n == 0 && !rows[i].rule)
			continue;
		if (!subject_add(v, rows[i].p, rows[i].n))
			return;
	}
}

/*
 * Gemini's box: "? Shell  cmd" above an inner box with the command, the
 * question under it.  Rows q+1.. upward.
 */
static void
subject_gemini(struct verdict *v, const struct row *rows, int nrows, int q)
{
	const char	*p, *e;
	size_t		 k;
	int		 i = q + 1, bottom, top;

	while (i < nrows && rows[i].n == 0 && !rows[i].rule)
		i++;
	if (i >= nrows)
		goto cut;
	if (rows[i].rule == 2) {
		bottom = i;
		for (top = i + 1; top < nrows && rows[top].rule != 2; top++)
			;
		if (top + 1 >= nrows)
			goto cut;	/* its top scrolled off */
		i = top + 1;
	} else {
		bottom = top = -1;	/* no inner box */
	}
	v->kind = header_kind(&rows[i]);
	if (v->kind != PK_NONE && (i + 1 >= nrows || rows[i + 1].rule != 1)) {
		/* A header must sit right under the box's top: one inside
		 * the command is the command's text. */
		v->cut = "the prompt's header is not where the box puts it";
		return;
	}
	if (v->kind == PK_SHELL) {
		if (bottom == -1)
			goto cut;
		subject_rows(v, rows, top - 1, bottom + 1);
	} else if (v->kind == PK_EDIT) {
		/* "? WriteFile  Writing to PATH", "? Edit  PATH: a => b". */
		e = rows[i].p + rows[i].n;
		for (p = rows[i].p + 2; p < e && *p != ' '; p++)
			;	/* past "? WORD" (header_kind saw its blank) */
		while (p < e && *p == ' ')
			p++;
		if (starts(p, (size_t)(e - p), "Writing to "))
			p += 11;
		for (k = 0; p + k + 1 < e && !(p[k] == ':' && p[k + 1] == ' ');
		    k++)
			;
		(void)subject_add(v, p, p + k + 1 < e ? k : (size_t)(e - p));
	} else if (v->kind != PK_NONE)
		(void)subject_add(v, rows[i].p, rows[i].n);
	return;
cut:
	v->kind = PK_SHELL;
	v->cut = "the top of the prompt is not on the screen";
}

/*
 * Claude shows an MCP tool as "server - tool(arguments) (MCP)": name it as
 * its settings do, "mcp__server__tool".  Anything else keeps its text.
 */
static void
tool_name(struct verdict *v)
{
	char	 name[128];
	size_t	 a, b;

	a = strcspn(v->subject, " \n");
	if (v->rows != 1 || strncmp(v->subject + a, " - ", 3) != 0)
		return;
	b = strcspn(v->subject + a + 3, "( \n");
	if (a == 0 || b == 0 || a + b + 8 >= sizeof name)
		return;
	snprintf(name, sizeof name, "mcp__%.*s__%.*s", (int)a, v->subject,
	    (int)b, v->subject + a + 3);
	snprintf(v->subject, sizeof v->subject, "%s", name);
}

/*
 * Claude's fetch prompt: the address on one row, then a sentence naming its
 * host ("Claude wants to fetch content from HOST"), or nothing.  Any other
 * row under the address may be the rest of it, wrapped ("https://docs.rs"
 * over ".evil.example/x"): then the host is not known.
 */
static void
fetch_host(struct verdict *v, const struct row *next)
{
	static const char	 says[] = "Claude wants to fetch content from ";
	const char		*host;
	size_t			 k;

	if (next->n == 0 || next->rule)
		return;
	if (!starts(next->p, next->n, says)) {
		v->cut = "the address may go on on the next row";
		return;
	}
	host = strstr(v->subject, "://");
	host = host != NULL ? host + 3 : v->subject;
	k = strcspn(host, "/:?#");
	if (k != next->n - (sizeof says - 1) ||
	    memcmp(host, next->p + sizeof says - 1, k) != 0)
		v->cut = "the address's host is not the one named under it";
}

/* Bytes that make a row read as a shell command rather than prose. */
static const char *const shellish[] = {
	"|", "&", ";", "<", ">", "$", "`", "\\", " -", "=", NULL
};

/*
 * Claude Code: under a full-width line, a header ("Bash command"), then
 * the command - between ╌╌╌ rules right above the question in newer
 * versions; in older ones the command and its description, unmarked -
 * then the question.  For a file, the path is the row under the header.
 */
static void
subject_claude(struct verdict *v, const struct row *rows, int nrows, int q)
{
	const char	*t;
	size_t		 tl;
	int		 i, h = -1, top, bottom, k, dashes = 0, j, wide;

	for (i = q + 1; i < nrows; i++) {
		/* The prompt's top: a line from the first column (a rule
		 * inside the command is indented with it). */
		if (rows[i].rule && !rows[i].dash && rows[i].lead == 0)
			break;
		if (rows[i].dash && rows[i].lead == 0)
			dashes++;
		if (rows[i].n > 0 && header_kind(&rows[i]) != PK_NONE)
			h = i;
	}
	if (h == -1)
		return;		/* not a tool's prompt: its kind is unknown */
	v->kind = header_kind(&rows[h]);
	/* The header sits right under the prompt's top line, on the screen:
	 * a header anywhere else is text of the command's (its rows may
	 * have pushed the real ones out of view). */
	for (j = i - 1; j > h && rows[j].n == 0 && !rows[j].rule; j--)
		;
	if (i >= nrows || j != h) {
		v->cut = "the top of the prompt is not on the screen";
		return;
	}
	/* A line from the first column right under a row that fills the
	 * pane (as wide as the widest row) may be the end of that row,
	 * wrapped by the terminal: a line the program did not draw. */
	for (j = 0, wide = 0; j < nrows; j++)
		wide = rows[j].width > wide ? rows[j].width : wide;
	for (j = q + 1; j <= i; j++) {
		if (rows[j].lead == 0 && rows[j].rule && j + 1 < nrows &&
		    rows[j + 1].n > 0 && rows[j + 1].width >= rows[j].width &&
		    rows[j + 1].width >= wide) {
			v->cut = "a rule of the prompt's may be a row the "
			    "terminal wrapped";
			return;
		}
	}
	if (v->kind == PK_EDIT || v->kind == PK_FETCH || v->kind == PK_TOOL) {
		/* The path (or address, or tool): the rows under the header
		 * up to a blank row or a rule. */
		for (i = h - 1; i > q && rows[i].n == 0; i--)
			;
		for (; i > q && rows[i].n > 0 && !rows[i].rule; i--) {
			if (!subject_add(v, rows[i].p, rows[i].n))
				return;
			if (v->kind == PK_FETCH) {
				if (i - 1 > q)
					fetch_host(v, &rows[i - 1]);
				return;	/* the address; a sentence follows */
			}
		}
		if (v->rows == 0)
			v->cut = "nothing under the prompt's header";
		else if (v->kind == PK_EDIT && v->rows > 1)
			v->cut = "the file's name spans rows";
		else if (v->kind == PK_TOOL)
			tool_name(v);
		return;
	}
	if (v->kind != PK_SHELL)
		return;
	if (dashes == 1 || dashes > 2) {
		v->cut = "the command's rules are not two";
		return;
	}
	if (dashes == 2) {
		/* The command between the two rules above the question,
		 * rules from the first column (the command's rows are
		 * indented: a rule in its text is part of it). */
		for (bottom = q + 1; bottom < h && !(rows[bottom].dash &&
		    rows[bottom].lead == 0); bottom++)
			;
		for (top = bottom + 1; top < h && !(rows[top].dash &&
		    rows[top].lead == 0); top++)
			;
		if (top >= h) {
			v->cut = "the command's rules are not both on screen";
			return;
		}
		subject_rows(v, rows, top - 1, bottom + 1);
		return;
	}
	/* Older: the command, then its description, with nothing between.
	 * The description is dropped only when the tool call line above the
	 * prompt ("● Bash(cmd)") names exactly the rows above it. */
	for (top = h - 1; top > q && rows[top].n == 0; top--)
		;
	for (bottom = q + 1; bottom < top && rows[bottom].n == 0; bottom++)
		;
	if (top > bottom) {
		/* The tool call: the first transcript item ("●") above
		 * the prompt, whole on one row. */
		for (k = h + 1; k < nrows && k <= h + CM_CONTEXT_ROWS * 2 &&
		    !starts(rows[k].p, rows[k].n, "\xe2\x97\x8f "); k++)
			;
		t = k < nrows ? rows[k].p + 4 : "";
		tl = k < nrows && rows[k].n >= 4 ? rows[k].n - 4 : 0;
		/* ...naming exactly the row above the last, which reads as
		 * words, not as a command line. */
		if (starts(t, tl, "Bash(") && t[tl - 1] == ')' &&
		    tl - 6 == rows[top].n && top - 1 == bottom &&
		    memcmp(t + 5, rows[top].p, tl - 6) == 0 &&
		    rows[bottom].p[0] >= 'A' && rows[bottom].p[0] <= 'Z' &&
		    !has_any(rows[bottom].p, rows[bottom].n, shellish)) {
			subject_rows(v, rows, top, top);
			return;
		}
	}
	subject_rows(v, rows, top, bottom);
}

/*
 * Codex: "Would you like to run the following command?", then lines such
 * as "Environment:" and "Reason:", then "$ command" (and its continuation
 * rows) right above the options.
 */
static void
subject_codex(struct verdict *v, const struct row *rows, int nrows,
    int last)
{
	int	 i, h = -1, cmd = -1;

	for (i = last + 1; i < nrows && i <= last + CM_BOTTOM_ROWS; i++) {
		if (rows[i].n > 0 && header_kind(&rows[i]) != PK_NONE) {
			h = i;
			break;
		}
		if (starts(rows[i].p, rows[i].n, "$ "))
			cmd = i;
		if (starts(rows[i].p, rows[i].n, "Destination: "))
			cmd = i;
	}
	if (h == -1)
		return;
	v->kind = header_kind(&rows[h]);
	/* Above the header, up to the transcript's last item (from the
	 * first column: the command's rows are indented), there must be no
	 * other header or command: a command can print one in its text.
	 * That item must be on the screen, or the command's first rows
	 * may not be. */
	for (i = h + 1; i < nrows && i <= h + CM_BOTTOM_ROWS; i++) {
		if (rows[i].n == 0)
			continue;
		/* • or ›, from the first column */
		if (rows[i].lead == 0 &&
		    (starts(rows[i].p, rows[i].n, "\xe2\x80\xa2 ") ||
		    starts(rows[i].p, rows[i].n, "\xe2\x80\xba")))
			break;
		if (header_kind(&rows[i]) != PK_NONE ||
		    starts(rows[i].p, rows[i].n, "$ ")) {
			v->cut = "two prompts' worth of headers: the command "
			    "holds one";
			return;
		}
	}
	if (i >= nrows || i > h + CM_BOTTOM_ROWS) {
		v->cut = "the top of the prompt is not on the screen";
		return;
	}
	if (cmd == -1) {
		v->cut = "no command or destination in the prompt";
		return;
	}
	if (v->kind == PK_EDIT) {
		if (!starts(rows[cmd].p, rows[cmd].n, "Destination: ")) {
			v->cut = "no destination in the prompt";
			return;
		}
		(void)subject_add(v, rows[cmd].p + 13, rows[cmd].n - 13);
		/* A row under it is the path going on, wrapped. */
		for (i = cmd - 1; i > last; i--) {
			if (rows[i].n > 0)
				v->cut = "the destination spans rows";
		}
		return;
	}
	if (!starts(rows[cmd].p, rows[cmd].n, "$ ")) {
		v->cut = "no command in the prompt";
		return;
	}
	if (!subject_add(v, rows[cmd].p + 2, rows[cmd].n - 2))
		return;
	subject_rows(v, rows, cmd - 1, last + 1);
}

/*
 * opencode: "Permission required" (row q), then a header ("# Shell
 * command", "→ Edit PATH"), then the command ("$ cmd", and its wrapped
 * rows) or the diff, then the choice (row c).
 */
static void
subject_opencode(struct verdict *v, const struct row *rows, int q, int c)
{
	int	 i, h = -1, top;

	for (i = q - 1; i > c && h == -1; i--) {
		if (rows[i].n > 0 && header_kind(&rows[i]) != PK_NONE)
			h = i;
	}
	if (h == -1)
		return;
	v->kind = header_kind(&rows[h]);
	if (v->kind == PK_EDIT) {
		/* "→ Edit PATH": the path after the verb. */
		i = (int)strcspn(rows[h].p + 4, " ") + 5;
		if ((size_t)i < rows[h].n)
			(void)subject_add(v, rows[h].p + i, rows[h].n - i);
		else
			v->cut = "no path in the prompt's header";
		/* A blank row under it: else the path may go on there. */
		if (h - 1 > c && rows[h - 1].n > 0)
			v->cut = "the path may go on on the next row";
		return;
	}
	for (top = h - 1; top > c && rows[top].n == 0; top--)
		;
	if (top == c || !starts(rows[top].p, rows[top].n, "$ ")) {
		v->cut = "no command in the prompt";
		return;
	}
	if (!subject_add(v, rows[top].p + 2, rows[top].n - 2))
		return;
	/* Every row down to the choice: a blank line in the command leaves
	 * a blank row, and the rest is under it. */
	subject_rows(v, rows, top - 1, c + 1);
}

/*
 * Qwen Code: a header ("? Shell cmd (what) ←"), then the command on rows
 * of its own, then the question (row q); no inner box as Gemini's.
 */
static void
subject_qwen(struct verdict *v, const struct row *rows, int nrows, int q)
{
	const char	*p, *e;
	int		 i, h = -1;

	for (i = q + 1; i < nrows && i <= q + CM_CONTEXT_ROWS * 2; i++) {
		if (rows[i].n > 0 && header_kind(&rows[i]) != PK_NONE) {
			h = i;
			break;
		}
	}
	if (h == -1)
		return;
	v->kind = header_kind(&rows[h]);
	/* The header is indented less than the question, the command's rows
	 * more: a header in the command's text is indented with them. */
	if (rows[h].lead >= rows[q].lead) {
		v->cut = "the prompt's header is not where the prompt puts it";
		return;
	}
	if (v->kind == PK_SHELL) {
		for (i = h - 1; i > q; i--) {
			if (rows[i].n > 0 && rows[i].lead <= rows[q].lead) {
				v->cut = "a row of the command is not indented "
				    "as the command";
				return;
			}
		}
		subject_rows(v, rows, h - 1, q + 1);
		if (v->rows == 0)
			v->cut = "no command in the prompt";
		return;
	}
	/* "? WriteFile Writing to PATH ←", "? Edit PATH ←": the path. */
	p = rows[h].p + 2 + strcspn(rows[h].p + 2, " ");
	e = rows[h].p + rows[h].n;
	while (p < e && *p == ' ')
		p++;
	if (starts(p, (size_t)(e - p), "Writing to "))
		p += 11;
	if (e - p >= 4 && memcmp(e - 3, "\xe2\x86\x90", 3) == 0)	/* ← */
		e -= 4;
	else {
		/* Its header ends in "←": without it, the path may go on
		 * on the next row. */
		v->cut = "the path may go on on the next row";
		return;
	}
	if (e > p)
		(void)subject_add(v, p, (size_t)(e - p));
	else
		v->cut = "no path in the prompt's header";
}

/*
 * What approving the prompt whose question is row q (and whose options
 * start at row last, or q for a one-line question) would do: fill the
 * verdict's kind and subject from the prompt's own structure.
 */
static void
find_subject(const struct profile *pr, const struct row *rows, int nrows,
    int q, int last, struct verdict *v)
{
	v->kind = PK_NONE;
	v->subject[0] = '\0';
	v->rows = 0;
	v->cut = NULL;
	if (strcmp(pr->name, "claude") == 0)
		subject_claude(v, rows, nrows, q);
	else if (strcmp(pr->name, "codex") == 0)
		subject_codex(v, rows, nrows, last);
	else if (strcmp(pr->name, "gemini") == 0)
		subject_gemini(v, rows, nrows, q);
	else if (strcmp(pr->name, "opencode") == 0)
		subject_opencode(v, rows, q, last);
	else if (strcmp(pr->name, "qwen") == 0)
		subject_qwen(v, rows, nrows, q);
	if (v->kind == PK_NONE && (pr->box[0] == NULL ||
	    has(v->rule, strlen(v->rule), "/press-enter"))) {
		/* A program's own question: the question is the subject. */
		v->kind = PK_QUESTION;
		(void)subject_add(v, rows[q].p, rows[q].n);
		v->rows = 1;
	}
	/* A program that shortens what it shows ("…") hides the rest. */
	if (v->kind != PK_QUESTION && v->cut == NULL &&
	    strstr(v->subject, "\xe2\x80\xa6") != NULL)
		v->cut = "the program shortened the command (…)";
}

/* Is the word w (n bytes) in list, without regard to ASCII case? */
static int
word_in(const char *const *list, const char *w, size_t n)
{
	size_t	 j;
	int	 i;

	for (i = 0; list[i] != NULL; i++) {
		if (strlen(list[i]) != n)
			continue;
		for (j = 0; j < n && (w[j] | 0x20) == list[i][j]; j++)
			;
		if (j == n)
			return (1);
	}
	return (0);
}

/* A label's first word, and how long it is (letters only). */
static size_t
first_word(const char *t, size_t n, const char **w)
{
	size_t	 i = 0, k;

	while (i < n && (t[i] == ' ' || t[i] == ','))
		i++;
	for (k = i; k < n && ((t[k] | 0x20) >= 'a' && (t[k] | 0x20) <= 'z');
	    k++)
		;
	*w = t + i;
	return (k - i);
}

/* Does the label start with a word that says yes ("Yes", "Allow")? */
static int
label_says_yes(const char *t, size_t n)
{
	const char	*w;
	size_t		 k = first_word(t, n, &w);

	return (k > 0 && word_in(approving, w, k) && (w + k == t + n ||
	    w[k] == ' ' || w[k] == ',' || w[k] == '('));
}

/*
 * Is the label one cm understands as approving this once: a word that says
 * yes, then only words of once_words, separated by blanks or commas (a
 * trailing "(x)" group without blanks aside)?  Anything else - another
 * word, other punctuation, a byte that is not ASCII ("…", "·", "’"), a
 * label ending in a comma (cut there) - is not understood.
 */
static int
label_once(const char *t, size_t n)
{
	const char	*w = t;
	size_t		 i, k = 0;

	while (n > 0 && t[n - 1] == ' ')
		n--;
	if (n > 0 && t[n - 1] == ')') {
		for (k = n - 1; k > 0 && t[k - 1] != '(' && t[k - 1] != ' ';
		    k--)
			;
		if (k > 0 && t[k - 1] == '(')
			n = k - 1;
		while (n > 0 && t[n - 1] == ' ')
			n--;
	}
	if (n == 0 || t[n - 1] == ',' || !label_says_yes(t, n))
		return (0);
	for (i = 0; i < n; i = (size_t)(w - t) + k) {
		while (i < n && (t[i] == ' ' || t[i] == ','))
			i++;
		if (i == n)
			break;
		k = first_word(t + i, n - i, &w);
		if (k == 0 || (w + k < t + n && w[k] != ' ' && w[k] != ','))
			return (0);	/* not a plain word */
		if (!word_in(approving, w, k) && !word_in(once_words, w, k))
			return (0);
	}
	return (k > 0 && !word_in(dangling, w, k));
}

/*
 * Which option to choose, by the options' whole labels: the first that
 * label_once understands.  None (and *any -1) when the prompt itself is
 * about the program's permission mode (a few rows above the options,
 * bottom-first indices above last, up to a rule).  *any is 1 if some
 * option says yes, understood or not.
 */
static int
best_option(const struct row *rows, int nrows, int last, const char **text,
    const size_t *tlen, int k, int *any)
{
	int	 i, seen = 0;

	*any = 0;
	for (i = last + 1; i < nrows && seen < CM_QUESTION_GAP &&
	    rows[i].rule != 1; i++) {
		seen += rows[i].n > 0;
		if (has_any(rows[i].p, rows[i].n, modal)) {
			*any = -1;
			return (0);
		}
	}
	for (i = 1; i <= k; i++) {
		if (!label_says_yes(text[i], tlen[i]))
			continue;
		*any = 1;
		if (label_once(text[i], tlen[i]))
			return (i);
	}
	return (0);
}

/* The prompt: the question (rows q down to last + 1) and the options. */
static void
menu_detail(struct verdict *v, const struct row *rows, int q, int last,
    const char **text, const size_t *tlen, int k, int numbered)
{
	char	 opt[CM_DETAIL_MAX];
	size_t	 ol;
	int	 i;

	v->detail[0] = '\0';
	for (i = q; i > last; i--) {
		if (!is_space(&rows[i]))
			prompt_add(v, rows[i].p, rows[i].n);
	}
	for (i = 1; i <= k; i++) {
		ol = numbered ? (size_t)snprintf(opt, sizeof opt, "%d. ", i) : 0;
		if (tlen[i] < sizeof opt - ol) {
			memcpy(opt + ol, text[i], tlen[i]);
			ol += tlen[i];
		}
		prompt_add(v, opt, ol);
	}
}

/*
 * The verdict for a parsed menu: best is the option that approves (0:
 * none), any what best_option said.  The keys: the key an option names
 * ("Yes, proceed (y)"), else Enter if the cursor is on it, else its number
 * (numbered) or the arrow keys from the cursor to it, then Enter.
 */
static void
menu_verdict(const struct profile *pr, struct verdict *v, int best, int any,
    const char *text, size_t tlen, int cursor, int numbered)
{
	size_t	 n = 0;
	int	 i, moves;

	v->keys[0] = '\0';
	if (best == 0 && any == -1) {
		/* It would change how the program asks: the person's. */
		v->state = S_CONFIRM;
		set_rule(v, pr, "menu-mode");
		return;
	}
	if (best == 0 && any) {
		/* Options say yes, none that cm understands as once: the
		 * person's. */
		v->state = S_CONFIRM;
		set_rule(v, pr, "menu-broad-only");
		return;
	}
	if (best == 0) {
		v->state = S_INPUT;
		set_rule(v, pr, "menu-choice");
		return;
	}
	v->state = S_CONFIRM;
	set_rule(v, pr, numbered ? "menu" : "menu-unnumbered");
	if (tlen >= 3 && text[tlen - 1] == ')' && text[tlen - 3] == '(' &&
	    text[tlen - 2] >= 'a' && text[tlen - 2] <= 'z') {
		v->keys[0] = text[tlen - 2];
		v->keys[1] = '\0';
	} else if (cursor == best)
		strcpy(v->keys, "Enter");
	else if (numbered) {
		v->keys[0] = (char)('0' + best);
		v->keys[1] = '\0';
	} else if (cursor != 0) {
		moves = best > cursor ? best - cursor : cursor - best;
		for (i = 0; i < moves; i++) {
			memcpy(v->keys + n, best > cursor ? "Down " : "Up ",
			    best > cursor ? 5 : 3);
			n += best > cursor ? 5 : 3;
		}
		strcpy(v->keys + n, "Enter");
	} else {
		/* No cursor, no numbers: no way to choose it. */
		set_rule(v, pr, "partial-no-cursor");
	}
}

/*
 * Rows 0 .. end - 1 (bottom first) are what a menu may have below it:
 * blank rows, rules, a ruled-off preview and at most CM_FOOTER_MAX short
 * rows, none of them the program's input box.
 */
static int
menu_footer(const struct profile *pr, const struct row *rows, int nrows,
    int end)
{
	int	 i, j, footer = 0, s;
	const char	*t;
	size_t	 tl;

	for (i = 0; i < end; i++) {
		if (rows[i].rule) {
			/* A preview between two rules (no options in it):
			 * skip it whole. */
			for (j = i + 1; j < nrows && j < end &&
			    j <= i + CM_PREVIEW_ROWS && !rows[j].rule &&
			    option_row(&rows[j], &s, &t, &tl) == 0; j++)
				;
			if (j < end && j <= i + CM_PREVIEW_ROWS && rows[j].rule)
				i = j;
			continue;
		}
		if (rows[i].n == 0)
			continue;
		if (++footer > CM_FOOTER_MAX || rows[i].n > 80)
			return (0);
		if (has_any(rows[i].p, rows[i].n, pr->box))
			return (0);	/* its input box: the list is output */
	}
	return (1);
}

/* The question above row last: within a few non-blank rows, or -1. */
static int
menu_question(const struct row *rows, int nrows, int last)
{
	int	 i, gap;

	for (i = last + 1, gap = 0; i < nrows && gap < CM_QUESTION_GAP; i++) {
		if (rows[i].n == 0)
			continue;
		if (is_question(&rows[i]))
			return (i);
		gap++;
	}
	return (-1);
}

/*
 * An option's whole label: its text on row at, and the rows under it that
 * are indented to col or further (the program wrapped it), joined by
 * blanks, into out (CM_LABEL_MAX bytes).  A label too long to hold ends in
 * a comma, which label_once never understands.
 */
static size_t
label_join(const struct row *rows, int at, int col, const char *t,
    size_t tl, char *out)
{
	const char	*u;
	size_t		 n, ul;
	int		 j, s;

	n = tl < CM_LABEL_MAX - 2 ? tl : CM_LABEL_MAX - 2;
	memcpy(out, t, n);
	for (j = at - 1; j >= 0 && rows[j].n > 0 && !rows[j].rule &&
	    rows[j].indent >= col && option_row(&rows[j], &s, &u, &ul) == 0;
	    j--) {
		if (n + 1 + rows[j].n > CM_LABEL_MAX - 2) {
			out[n++] = ',';
			break;
		}
		out[n++] = ' ';
		memcpy(out + n, rows[j].p, rows[j].n);
		n += rows[j].n;
	}
	return (n);
}

/*
 * A numbered menu at the bottom: options 1..N in order, with at most a short
 * footer (and a ruled-off preview) below them, and above them either a
 * question or, for a menu with a cursor on one option, a title.  It is a
 * confirmation if there is a question and an option approves; otherwise (a
 * model picker, a theme) it asks for a choice: input.  A numbered list with
 * the program's own input box below it is output, not a menu.  An option
 * may wrap: its further rows are indented past its number.
 */
static int
find_menu(const struct profile *pr, struct row *rows, int nrows,
    struct verdict *v)
{
	const char	*text[CM_OPTIONS_MAX + 1];
	size_t		 tlen[CM_OPTIONS_MAX + 1];
	char		 lab[CM_OPTIONS_MAX + 1][CM_LABEL_MAX];
	int		 sel[CM_OPTIONS_MAX + 1], at[CM_OPTIONS_MAX + 1];
	int		 ocol[CM_OPTIONS_MAX + 1];
	int		 i, first = -1, last = -1, num = 0, s, k, expect;
	int		 q = -1, best, any, cursor = 0, col = 0;
	const char	*t;
	size_t		 tl;

	memset(sel, 0, sizeof sel);
	/* Bottom first: skip the footer, then collect options N..1. */
	for (i = 0; i < nrows; i++) {
		if (!rows[i].rule && rows[i].n > 0 &&
		    (num = option_row(&rows[i], &s, &t, &tl)) != 0) {
			first = i;
			break;
		}
	}
	if (first == -1 || !menu_footer(pr, rows, nrows, first))
		return (0);
	expect = num;
	if (num > CM_OPTIONS_MAX || num < 2)
		return (0);
	for (i = first; i < nrows && expect >= 1; i++) {
		if (rows[i].n == 0)
			continue;
		num = option_row(&rows[i], &s, &t, &tl);
		if (num == 0) {
			/* A wrapped option's further row: indented as far
			 * as the options' text, or further. */
			if (i > first && col > 0 && rows[i].indent >= col &&
			    !rows[i].rule)
				continue;
			break;
		}
		if (num != expect)
			return (0);
		text[num] = t;
		tlen[num] = tl;
		sel[num] = s;
		if (s)
			cursor = num;
		/* The column the options' text starts at. */
		col = rows[i].indent + display_width(rows[i].p,
		    (size_t)(t - rows[i].p));
		at[num] = i;
		ocol[num] = col;
		last = i;
		expect--;
	}
	if (expect != 0)
		return (0);
	/* The question: above option 1, within a few non-blank rows. */
	q = menu_question(rows, nrows, last);
	if (q == -1) {
		/* No question: a picker, if a cursor marks one option. */
		if (!cursor)
			return (0);
		for (q = last + 1; q < nrows && is_space(&rows[q]); q++)
			;
		if (q == nrows)
			q = last;
	}
	k = option_row(&rows[first], &s, &t, &tl);
	for (i = 1; i <= k; i++) {
		tlen[i] = label_join(rows, at[i], ocol[i], text[i], tlen[i],
		    lab[i]);
		text[i] = lab[i];
	}
	best = 0;
	any = 0;
	if (q > last && is_question(&rows[q]))
		best = best_option(rows, nrows, last, text, tlen, k, &any);
	else {
		/* No question on the screen (scrolled off, or none): options
		 * that say yes still ask something, but what is not known. */
		for (i = 1; i <= k; i++)
			any |= label_says_yes(text[i], tlen[i]);
	}
	menu_detail(v, rows, q, last, text, tlen, k, 1);
	prompt_context(v, rows, nrows, q);
	menu_verdict(pr, v, best, any, best ? text[best] : NULL,
	    best ? tlen[best] : 0, cursor, 1);
	if (v->state == S_CONFIRM && best == 0 && any == 1 &&
	    !(q > last && is_question(&rows[q])))
		set_rule(v, pr, "menu-no-question");
	if (v->state == S_CONFIRM)
		find_subject(pr, rows, nrows, q, last, v);
	return (1);
}

/* A row with the cursor on an unnumbered option: "❯ Yes" (a space after
 * the mark, not the no-break space of Claude's input box). */
static int
cursor_row(const struct row *r, const char **text, size_t *tlen)
{
	static const char *const marks[] = {
		"\xe2\x9d\xaf ", "\xe2\x80\xba ", "\xe2\x96\xb8 ",
		"\xe2\x96\xb6 ", NULL
	};	/* ❯ › ▸ ▶ */
	int	 i;
	size_t	 k;

	for (i = 0; marks[i] != NULL; i++) {
		k = strlen(marks[i]);
		if (r->n > k && memcmp(r->p, marks[i], k) == 0 &&
		    r->p[k] != ' ') {
			*text = r->p + k;
			*tlen = r->n - k;
			return (1);
		}
	}
	return (0);
}

/*
 * A menu without numbers (Claude Code 2.1.3xx: "  Yes" / "❯ No
 * (recommended)", "❯ No, exit" / "  Yes, I trust this folder"): one row
 * with the cursor mark, its siblings indented to its text (or up to two
 * columns more, past a "✔ "), no blank row between them, at most a footer
 * below, a question or a title above.  Chosen by label like a numbered
 * menu; reached with the arrow keys.
 */
static int
find_list(const struct profile *pr, struct row *rows, int nrows,
    struct verdict *v)
{
	const char	*text[CM_OPTIONS_MAX + 1];
	size_t		 tlen[CM_OPTIONS_MAX + 1];
	const char	*t;
	size_t		 tl;
	int		 i, m = -1, seen = 0, lo, hi, k, q, best, any, cursor;
	int		 base, s, wrapped;

	for (i = 0; i < nrows && seen <= CM_OPTIONS_MAX + CM_FOOTER_MAX +
	    CM_PREVIEW_ROWS; i++) {
		if (rows[i].n == 0)
			continue;
		seen++;
		if (!rows[i].rule && has_any(rows[i].p, rows[i].n, pr->box))
			return (0);
		if (!rows[i].rule && cursor_row(&rows[i], &t, &tl) &&
		    option_row(&rows[i], &s, &t, &tl) == 0) {
			m = i;
			break;
		}
	}
	if (m == -1)
		return (0);
	base = rows[m].indent;
#define SIBLING(r)	((r).n > 0 && !(r).rule && (r).indent >= base + 2 && \
			    (r).indent <= base + 4)
	for (lo = m; lo > 0 && SIBLING(rows[lo - 1]); lo--)
		;
	for (hi = m; hi + 1 < nrows && SIBLING(rows[hi + 1]); hi++)
		;
#undef SIBLING
	k = hi - lo + 1;
	if (k < 2 || k > CM_OPTIONS_MAX || !menu_footer(pr, rows, nrows, lo))
		return (0);
	/* A row starting in lower case is the rest of the option above it,
	 * wrapped, not an option: which row the keys reach is not known. */
	for (i = lo, wrapped = 0; i <= hi; i++)
		wrapped |= rows[i].p[0] >= 'a' && rows[i].p[0] <= 'z';
	/* Options 1..k top to bottom. */
	cursor = hi - m + 1;
	for (i = hi; i >= lo; i--) {
		if (i == m)
			(void)cursor_row(&rows[i], &text[hi - i + 1],
			    &tlen[hi - i + 1]);
		else {
			text[hi - i + 1] = rows[i].p;
			tlen[hi - i + 1] = rows[i].n;
		}
	}
	q = menu_question(rows, nrows, hi);
	if (q == -1) {
		for (q = hi + 1; q < nrows && is_space(&rows[q]); q++)
			;
		if (q == nrows)
			q = hi;
	}
	best = best_option(rows, nrows, hi, text, tlen, k, &any);
	if (wrapped && best != 0) {
		best = 0;
		any = 1;
	}
	menu_detail(v, rows, q, hi, text, tlen, k, 0);
	prompt_context(v, rows, nrows, q);
	menu_verdict(pr, v, best, any, best ? text[best] : NULL,
	    best ? tlen[best] : 0, cursor, 0);
	if (v->state == S_CONFIRM)
		find_subject(pr, rows, nrows, q, hi, v);
	return (1);
}

/*
 * Part of a prompt below the program's input box (or at the bottom, when
 * it is not up): a key hint ("Enter to confirm", "Esc to cancel"), a
 * question, or a row with the cursor on an option, that find_menu and
 * find_list could not make a whole prompt of.  Fail safe: a confirmation
 * with no approving keys, so it is never answered, and a rule saying what
 * was missing.
 */
static int
find_partial(const struct profile *pr, const struct row *rows, int nrows,
    struct verdict *v)
{
	const char	*t;
	size_t		 tl;
	int		 i, seen = 0, hint = 0, question = 0, option = 0, s;
	int		 top = -1;

	if (pr->hints[0] == NULL)
		return (0);
	for (i = 0; i < nrows && seen < CM_PARTIAL_ROWS; i++) {
		if (rows[i].n == 0 || rows[i].rule)
			continue;
		seen++;
		if (has_any(rows[i].p, rows[i].n, pr->box) ||
		    (pr->draft != NULL && rows[i].indent <= 1 &&
		    starts(rows[i].p, rows[i].n, pr->draft) &&
		    option_row(&rows[i], &s, &t, &tl) == 0))
			break;	/* its input box, with or without a draft */
		top = i;
		if (has_any(rows[i].p, rows[i].n, pr->hints))
			hint = 1;
		else if (rows[i].p[rows[i].n - 1] == '?' ||
		    has(rows[i].p, rows[i].n, "? "))
			question = 1;
		if (cursor_row(&rows[i], &t, &tl) ||
		    option_row(&rows[i], &s, &t, &tl) != 0)
			option = 1;
	}
	if (!hint && !question && !option)
		return (0);
	v->state = S_CONFIRM;
	v->keys[0] = '\0';
	set_rule(v, pr, !option ? "partial-no-options" : !question ?
	    "partial-no-question" : "partial-menu");
	v->detail[0] = '\0';
	for (i = top; i >= 0; i--) {
		if (!is_space(&rows[i]))
			prompt_add(v, rows[i].p, rows[i].n);
	}
	return (1);
}

/*
 * Does row r hold the labels of spec ("A|B|C") in order, starting the row,
 * separated by blanks, with at least two blanks or the row's end after the
 * last?  Fills label[] and len[] (at most CM_CHOICE_MAX) and returns how
 * many labels, or 0.
 */
static int
choice_row(const struct row *r, const char *spec, const char **label,
    size_t *len)
{
	const char	*p = r->p, *end = r->p + r->n, *bar;
	int		 k = 0;

	while (*spec != '\0' && k < CM_CHOICE_MAX) {
		bar = strchr(spec, '|');
		label[k] = spec;
		len[k] = bar != NULL ? (size_t)(bar - spec) : strlen(spec);
		if (len[k] == 0 || (size_t)(end - p) < len[k] ||
		    memcmp(p, spec, len[k]) != 0)
			return (0);
		p += len[k];
		spec += len[k] + (bar != NULL);
		k++;
		if (bar == NULL)
			break;
		if (p == end || *p != ' ')
			return (0);
		while (p < end && *p == ' ')
			p++;
	}
	if (p < end && (end - p < 2 || p[0] != ' ' || p[1] != ' '))
		return (0);
	return (k >= 2 ? k : 0);
}

/*
 * A one-row choice at the bottom (opencode: "Allow once   Allow always
 * Reject", under a "Permission required" heading), one of the profile's
 * choice rows.  The first label is the one selected when it appears; Right
 * moves to the next.  It is a confirmation; the keys reach the first label
 * that approves once, and there are none when no label does or when no
 * question heads the prompt.
 */
static int
find_choice(const struct profile *pr, struct row *rows, int nrows,
    struct verdict *v)
{
	const char	*label[CM_CHOICE_MAX];
	size_t		 len[CM_CHOICE_MAX], kl;
	int		 i, j, c, k = 0, q = -1, best = -1, seen = 0;

	for (i = 0; i < nrows && seen <= CM_FOOTER_MAX && k == 0; i++) {
		if (rows[i].n == 0)
			continue;
		seen++;
		/* Its input box below: the choice is in an answer. */
		if (has_any(rows[i].p, rows[i].n, pr->box))
			return (0);
		for (c = 0; pr->choices[c] != NULL && k == 0; c++)
			k = choice_row(&rows[i], pr->choices[c], label, len);
	}
	if (k == 0)
		return (0);
	i--;
	for (j = i + 1; j < nrows && j <= i + CM_CHOICE_BODY_ROWS; j++) {
		if (is_question(&rows[j])) {
			q = j;
			break;
		}
	}
	for (c = 0; c < k && q != -1; c++) {
		if (label_once(label[c], len[c])) {
			best = c;
			break;
		}
	}
	/* The question, what lies between it and the choice, the labels;
	 * then what the question is about in front of them. */
	v->detail[0] = '\0';
	for (j = q; j > i; j--) {
		if (!is_space(&rows[j]))
			prompt_add(v, rows[j].p, rows[j].n);
	}
	for (c = 0; c < k; c++)
		prompt_add(v, label[c], len[c]);
	prompt_context(v, rows, nrows, q != -1 ? q : i);
	v->state = S_CONFIRM;
	if (best == -1) {
		set_rule(v, pr, q == -1 ? "choice-no-question" :
		    "choice-no-approval");
		return (1);
	}
	set_rule(v, pr, "choice");
	find_subject(pr, rows, nrows, q, i, v);
	v->keys[0] = '\0';
	for (c = 0; c < best; c++) {
		kl = strlen(v->keys);
		if (kl + 6 < sizeof v->keys)
			memcpy(v->keys + kl, "Right ", 7);
	}
	kl = strlen(v->keys);
	if (kl + 5 < sizeof v->keys)
		memcpy(v->keys + kl, "Enter", 6);
	return (1);
}

/* The program's own permission mode, if its screen shows it: its name in
 * v->mode (auto, bypass, accept-edits, yolo: it approves by itself; manual,
 * plan: it asks). */
static void
find_mode(const struct profile *pr, const struct row *rows, int nrows,
    struct verdict *v)
{
	int	 i, j;

	for (i = 0; i < nrows; i++) {
		for (j = 0; pr->modes[j].text != NULL; j++) {
			if (has(rows[i].p, rows[i].n, pr->modes[j].text)) {
				snprintf(v->mode, sizeof v->mode, "%s",
				    pr->modes[j].rule);
				return;
			}
		}
	}
}

/* Does s end with suffix, followed by nothing but ' ', ':', '?' or '>'? */
static int
ends_with_question(const char *s, size_t n, const char *suffix)
{
	size_t	 k = strlen(suffix);

	while (n > 0 && strchr(" :?>", s[n - 1]) != NULL && s[n - 1] != '\0' &&
	    !(n >= k && memcmp(s + n - k, suffix, k) == 0))
		n--;
	return (ends(s, n, suffix));
}

/* A question on the last row that ends in [y/N] and the like. */
static int
find_yesno(const struct profile *pr, const struct row *last,
    struct verdict *v)
{
	const char	*p = last->p;
	size_t		 n = last->n;
	int		 i;

	for (i = 0; yesno[i].suffix != NULL; i++) {
		/* The question must end the line: "Go? [y/N] y" is one
		 * being answered, not one waiting. */
		if (ends_with_question(p, n, yesno[i].suffix)) {
			v->state = S_CONFIRM;
			strcpy(v->keys, yesno[i].keys);
			set_rule(v, pr, "yes-no");
			return (1);
		}
	}
	/* Aider: "Run shell command? (Y)es/(N)o/(D)on't ask again [Yes]: ". */
	if (has(p, n, "? (Y)es/(N)o") && (ends(p, n, "[Yes]:") ||
	    ends(p, n, "[No]:"))) {
		v->state = S_CONFIRM;
		strcpy(v->keys, "y Enter");
		set_rule(v, pr, "yes-no-letters");
		return (1);
	}
	/* git add -p: "(1/1) Stage this hunk [y,n,q,a,d,e,?]? " */
	if (has(p, n, "[y,n") && ends(p, n, "]?")) {
		v->state = S_CONFIRM;
		strcpy(v->keys, "y Enter");
		set_rule(v, pr, "git-add-p");
		return (1);
	}
	/* rm: remove regular file 'x'?  cp: overwrite 'y'?  mv, ln too. */
	if (n > 4 && ends(p, n, "?") && (starts(p, n, "rm: ") ||
	    starts(p, n, "cp: ") || starts(p, n, "mv: ") ||
	    starts(p, n, "ln: ") || starts(p, n, "rmdir: "))) {
		v->state = S_CONFIRM;
		strcpy(v->keys, "y Enter");
		set_rule(v, pr, "coreutils-i");
		return (1);
	}
	if (has(p, n, "Are you sure") && ends(p, n, "?")) {
		v->state = S_CONFIRM;
		strcpy(v->keys, "y Enter");
		set_rule(v, pr, "are-you-sure");
		return (1);
	}
	if (has(p, n, "--More--")) {
		v->state = S_CONFIRM;
		strcpy(v->keys, "Space");
		set_rule(v, pr, "more");
		return (1);
	}
	if (has(p, n, "Press Enter to continue") ||
	    has(p, n, "Press ENTER to continue") ||
	    has(p, n, "press Enter to continue") ||
	    has(p, n, "Press RETURN to continue") ||
	    has(p, n, "Press any key to continue")) {
		v->state = S_CONFIRM;
		strcpy(v->keys, "Enter");
		set_rule(v, pr, "press-enter");
		return (1);
	}
	return (0);
}

/* A screen the profile knows by one line near the bottom. */
static int
find_mark(const struct profile *pr, const struct row *rows, int nrows,
    struct verdict *v)
{
	int	 i, j, seen = 0;

	for (i = 0; i < nrows && seen < CM_MARK_ROWS; i++) {
		if (rows[i].n == 0)
			continue;
		seen++;
		for (j = 0; pr->marks[j].text != NULL; j++) {
			if (has(rows[i].p, rows[i].n, pr->marks[j].text)) {
				v->state = pr->marks[j].state;
				set_rule(v, pr, pr->marks[j].rule);
				prompt_add(v, rows[i].p, rows[i].n);
				return (1);
			}
		}
	}
	return (0);
}

/*
 * An error in the program's last answer: between its input box and the echo
 * of the last instruction (both start with the profile's turn marker), so an
 * error from an earlier turn that scrolled up is not taken for a new one.
 */
static int
find_error(const struct profile *pr, const struct row *rows, int nrows,
    struct verdict *v)
{
	int	 i, seen = 0, turns = 0;

	for (i = 0; i < nrows && seen < CM_ERROR_ROWS; i++) {
		if (rows[i].n == 0)
			continue;
		seen++;
		if (has_any(rows[i].p, rows[i].n, pr->errors)) {
			v->state = S_ERROR;
			set_rule(v, pr, "error");
			prompt_add(v, rows[i].p, rows[i].n);
			return (1);
		}
		if (pr->turn != NULL && starts(rows[i].p, rows[i].n,
		    pr->turn) && ++turns == 2)
			break;
	}
	return (0);
}


/* The row number of r, which must lie in sc->text. */
static int
row_index(const struct screen *sc, const struct row *r)
{
	const char	*p;
	int		 y = 0;

	for (p = sc->text; p < r->p; p++)
		y += *p == '\n';
	return (y);
}

/* Is the bottom row of the screen (the pane's last row) written on? */
static int
screen_full(const struct screen *sc)
{
	size_t	 n = sc->len;

	if (n > 0 && sc->text[n - 1] == '\n')
		n--;
	while (n > 0 && sc->text[n - 1] == ' ')
		n--;
	return (n > 0 && sc->text[n - 1] != '\n');
}

/*
 * The last row of a quiet screen, when it asks for something other than
 * yes or no: a secret, a line of text (a label ending in ':', "name:
 * (default)", git's "What now>"), a key for a pager; or, below a shell
 * command with nothing after it, a command still running.
 */
static int
find_text(const struct profile *pr, const struct screen *sc,
    const struct row *rows, struct verdict *v)
{
	const struct row	*r = &rows[0];
	int			 secret, at, i, y = row_index(sc, r);
	const char		*rule = NULL;

	at = sc->cursor_y >= 0 && y == sc->cursor_y;
	secret = has_any(r->p, r->n > 40 ? 40 : r->n, secret_markers);
	/* A line ending in ':' with the cursor after it (or, for plain
	 * programs, where the cursor is not known) asks for text. */
	if (secret)
		rule = "secret";
	else if (r->n > 1 && r->p[r->n - 1] == ':' &&
	    (at || (sc->cursor_y < 0 && pr->quiet_idle)))
		rule = "text";
	else if (pr->quiet_idle && r->n > 4 && r->p[r->n - 1] == ')' &&
	    has(r->p, r->n > 60 ? 60 : r->n, ": ("))
		rule = "text-default";
	else if (pr->quiet_idle) {
		for (i = 0; text_prompts[i] != NULL; i++) {
			if (ends(r->p, r->n, text_prompts[i]))
				rule = "text";
		}
	}
	if (rule != NULL) {
		v->state = S_INPUT;
		set_rule(v, pr, rule);
		prompt_add(v, r->p, r->n);
		return (1);
	}
	if (!pr->quiet_idle)
		return (0);
	/* less: ':' or "(END)"; on its first page, the file's name alone on
	 * the last row of a full screen, the cursor after it. */
	for (i = 0; pager_lines[i] != NULL; i++) {
		if (r->n == strlen(pager_lines[i]) &&
		    memcmp(r->p, pager_lines[i], r->n) == 0)
			rule = "pager";
	}
	if (rule == NULL && at && screen_full(sc) && r->n <= 60 &&
	    memchr(r->p, ' ', r->n) == NULL &&
	    strchr("$#%>:", r->p[r->n - 1]) == NULL)
		rule = "pager";
	if (rule != NULL) {
		v->state = S_CONFIRM;
		strcpy(v->keys, "Space");
		set_rule(v, pr, rule);
		prompt_add(v, r->p, r->n);
		return (1);
	}
	if (sc->cursor_y == y + 1 && shell_command_row(r)) {
		v->state = S_WORKING;
		set_rule(v, pr, "running");
		return (1);
	}
	return (0);
}

/*
 * Classify a screen.  profile is an index from profile_find or
 * profile_for_command (-1: generic).
 */
void
confirm_classify(int profile, const struct screen *sc, struct verdict *v)
{
	const struct profile	*pr;
	struct row		 rows[CM_BOTTOM_ROWS];
	int			 nrows, i, quiet, seen;

	pr = profile_get(profile);
	memset(v, 0, sizeof *v);
	if (sc->dead) {
		v->state = S_EXITED;
		set_rule(v, pr, "dead");
		return;
	}
	quiet = sc->quiet_ms >= CM_QUIET_MS;
	nrows = bottom_rows(sc->text, sc->len, rows, CM_BOTTOM_ROWS);
	find_mode(pr, rows, nrows, v);
	/* tmux's own word, when remain-on-exit keeps a dead pane. */
	if (nrows > 0 && starts(rows[0].p, rows[0].n, "Pane is dead")) {
		v->state = S_EXITED;
		set_rule(v, pr, "pane-dead");
		prompt_add(v, rows[0].p, rows[0].n);
		return;
	}

	if (nrows == 0 && pr->blank_starting) {
		v->state = S_STARTING;
		set_rule(v, pr, "blank");
		return;
	}

	/* Busy markers win: Claude keeps its input box up while it works. */
	for (i = 0; i < nrows && i < 12; i++) {
		if (has_any(rows[i].p, rows[i].n, pr->working)) {
			v->state = S_WORKING;
			set_rule(v, pr, "busy-marker");
			return;
		}
	}
	if (sc->title != NULL && has_any(sc->title, strlen(sc->title),
	    pr->title_working)) {
		v->state = S_WORKING;
		set_rule(v, pr, "busy-title");
		return;
	}
	if (nrows > 0 && find_mark(pr, rows, nrows, v))
		return;
	if (nrows > 0 && pr->menus && (find_menu(pr, rows, nrows, v) ||
	    find_list(pr, rows, nrows, v)))
		return;
	if (nrows > 0 && find_choice(pr, rows, nrows, v))
		return;
	if (nrows > 0 && find_yesno(pr, &rows[0], v)) {
		prompt_add(v, rows[0].p, rows[0].n);
		prompt_context(v, rows, nrows, 0);
		find_subject(pr, rows, nrows, 0, 0, v);
		return;
	}
	/* The program says a prompt is up, but its options did not parse:
	 * the person answers it. */
	for (i = 0; i < nrows && i < CM_MARK_ROWS; i++) {
		if (has_any(rows[i].p, rows[i].n, pr->pending)) {
			v->state = S_CONFIRM;
			set_rule(v, pr, "pending-unparsed");
			prompt_context(v, rows, nrows, i);
			return;
		}
	}
	if (!quiet) {
		v->state = S_WORKING;
		set_rule(v, pr, "output");
		return;
	}
	if (nrows > 0 && find_text(pr, sc, rows, v)) {
		if (v->state == S_CONFIRM)
			find_subject(pr, rows, nrows, 0, 0, v);
		return;
	}
	if (nrows > 0 && find_error(pr, rows, nrows, v))
		return;
	if (nrows > 0 && find_partial(pr, rows, nrows, v))
		return;
	if (sc->fg_job && pr->quiet_idle) {
		/* A shell with a job in the foreground: busy, however
		 * quiet, unless the job asks for something (above). */
		v->state = S_WORKING;
		set_rule(v, pr, "foreground-job");
		return;
	}
	if (pr->titled && sc->title_default) {
		/* Codex draws its input box seconds before it can take an
		 * instruction (an Enter then is lost); its title says when. */
		v->state = S_WORKING;
		set_rule(v, pr, "loading");
		return;
	}
	/* Its input prompt, in the last 8 rows that are not blank (a
	 * full-screen program leaves blank rows above its status row). */
	for (i = 0, seen = 0; i < nrows && seen < 8; i++) {
		seen += rows[i].n > 0;
		if (has_any(rows[i].p, rows[i].n, pr->idle)) {
			v->state = S_IDLE;
			set_rule(v, pr, "input-prompt");
			return;
		}
	}
	if (pr->quiet_idle) {
		v->state = S_IDLE;
		set_rule(v, pr, "quiet");
		return;
	}
	v->state = S_UNKNOWN;
	set_rule(v, pr, "no-match");
}
