# Sourced by capture.sh (inside the namespace): the newest Claude Code and
# Codex, kept beside the pinned ones as tests/screens/claude-<version>/ and
# tests/screens/codex-<version>/ (the version is the npm package's, read from
# $PFX).  Run it with a prefix of its own, e.g.
#   CAPTURE_PREFIX=/opt/cli-new tests/capture/capture.sh claude-latest codex-latest
# The sessions still run in $WORK/proj (/opt/cli-capture/work/proj), so every
# generation's screens show the same path.
# shellcheck shell=bash

pkg_version() { node -p "require('$PFX/node_modules/$1/package.json').version"; }

# ------------------------------------------------------------------ Claude Code 2.1.3xx
# What changed since 2.1.197 (issue 11): unnumbered dialogs (API key, trust
# folder with "No, exit" first, theme picker, the auto-mode nudge), auto mode
# as the default permission mode, a fourth Bash option ("Yes, and switch to
# auto mode"), the command between ╌╌╌ rules under a "Tip:" line, ◐/◑ titles.
claude_latest_home() {  # DIR MODE : onboarding done, key approved, $P trusted; defaultMode MODE (or none)
  claude_home "$1"
  if [ -n "$2" ]; then
    printf '{"theme":"dark","permissions":{"defaultMode":"%s"}}\n' "$2" > "$1/.claude/settings.json"
  fi
}

group_claude_latest() {
  local v G w H
  v=$(pkg_version @anthropic-ai/claude-code)
  G=claude-$v
  start_group "$G"
  proj_reset
  "$BIN/claude" --version > "$OUT/$G/VERSION" 2>&1
  echo "npm package @anthropic-ai/claude-code $v" >> "$OUT/$G/VERSION"

  # 1. onboarding (fresh HOME, ANTHROPIC_AUTH_TOKEN set so the OAuth pre-flight is skipped, plus ANTHROPIC_API_KEY)
  H=$PFX/homes/claude-onboard; rm -rf "$H"; mkdir -p "$H"
  win c1 "$P" "$(aienv "$H") ANTHROPIC_BASE_URL=$FAKEURL ANTHROPIC_AUTH_TOKEN=$CKEY ANTHROPIC_API_KEY=$CKEY claude"
  waitfor c1 'Choose the text style' 30; sleep 1
  snap $G 01-onboarding-theme-picker c1 "Claude onboarding theme picker, UNNUMBERED: '❯ ✔ Auto (match terminal)' preselected, then Dark mode, Light mode, ...; diff preview between ╌╌╌ rules below; no key footer (a choice that approves nothing)" input - -
  key c1 Enter; waitfor c1 'Do you want to use this API key' 10; sleep 0.5
  snap $G 02-onboarding-api-key-no-preselected c1 "Claude onboarding 'Detected a custom API key ... Do you want to use this API key?' UNNUMBERED: '  Yes' / '❯ No (recommended)' preselected; footer 'Enter to confirm · Esc to cancel'; Enter declines, Up then Enter approves" confirm "Up Enter" safe
  key c1 Up; sleep 0.7
  snap $G 03-onboarding-api-key-yes-selected c1 "same API-key question after Up: '❯ Yes' / '  No (recommended)'" confirm Enter safe
  key c1 Enter; waitfor c1 'Press Enter to continue' 10; sleep 0.5
  snap $G 04-onboarding-security-notes c1 "Claude onboarding 'Security notes: 1. Claude can make mistakes ... 2. Due to prompt injection risks ...' and 'Press Enter to continue'" confirm Enter safe
  key c1 Enter; waitfor c1 'Yes, I trust this folder' 10; sleep 0.5
  snap $G 05-trust-folder-no-exit-first c1 "Claude 'Accessing workspace: <dir> ... Quick safety check: Is this a project you created or one you trust?' UNNUMBERED: '❯ No, exit' FIRST and preselected / '  Yes, I trust this folder'; 'Enter to confirm · Esc to cancel'; approving is Down then Enter" confirm "Down Enter" dangerous
  key c1 Down; sleep 0.5; key c1 Enter; waitfor c1 'auto mode on|for shortcuts' 20; sleep 2
  snap $G 06-idle-auto-mode-default-notice c1 "Claude idle right after onboarding: auth warning, notice '▎ Auto mode is now Claude Code's default permission mode', empty ❯ input box, footer '⏵⏵ auto mode on (shift+tab to cycle) · ← for agents ... ◐ medium · /effort' (the CLI approves by itself)" idle - -
  # auto mode: does a dangerous command prompt at all?
  mode "bash:rm -rf build"; line c1 "clean the build dir"
  waitfor c1 'Do you want to proceed|Done\.|denied|blocked|Blocked' 40; sleep 2
  snap $G 07-auto-mode-rm-rf c1 "Claude in auto mode after asking it to run 'rm -rf build' (whatever its auto-mode check did; no cm prompt expected)" idle - -
  kill_win c1
  proj_reset

  # 2. main session: pre-seeded HOME, API key only, defaultMode "default" in the user settings
  H=$PFX/homes/claude-main; claude_latest_home "$H" default
  w=cm
  win $w "$P" "$(aienv "$H") ANTHROPIC_BASE_URL=$FAKEURL ANTHROPIC_API_KEY=$CKEY CLAUDE_CODE_MAX_RETRIES=2 sh -c 'claude; echo; echo \"[claude exited with status \$?]\"; sleep 100000'"
  waitfor $w 'Make auto mode your default' 30; sleep 1
  snap $G 08-auto-mode-nudge $w "Claude start-up question 'Make auto mode your default permission mode?' UNNUMBERED: '❯ Yes, set auto mode as my default permission mode' (preselected) / '  No, keep manual mode'; no key footer. Yes changes the permission mode: cm never chooses it" confirm - dangerous
  key $w Down; sleep 0.7
  snap $G 09-auto-mode-nudge-no-selected $w "same auto-mode question with the cursor on '❯ No, keep manual mode' (Enter declines; the only approving option changes a mode)" confirm - dangerous
  key $w Enter; waitfor $w 'manual mode on' 15; sleep 1.5
  snap $G 10-idle-manual-mode $w "Claude idle in manual mode: empty ❯ input box, footer '⏸ manual mode on · ? for shortcuts'" idle - -
  typ $w "refactor the parser module"; sleep 0.5
  snap $G 11-idle-draft-typed $w "Claude idle with an unsent draft 'refactor the parser module' typed in the input box" idle - -
  mode "slow:24"; key $w Enter
  waitfor $w 'esc to interrupt' 15; sleep 2
  snap $G 12-working-streaming-1 $w "Claude working: streamed text growing, spinner line ('· Topsy-turvying… (4s · ↓ 80 tokens)'), footer '⏸ manual mode on · esc to interrupt'; title '◐ Claude Code' / '◑ Claude Code'" working - -
  sleep 7
  snap $G 13-working-streaming-2 $w "Claude working, later in the same slow stream" working - -
  waitfor $w 'for [0-9]+s' 40; sleep 1.5
  snap $G 14-idle-after-response $w "Claude idle after a long answer ('✻ <Verb>ed for 24s' summary line), empty input box, manual mode footer" idle - -

  mode hang; line $w "what does the build script do?"
  waitfor $w 'esc to interrupt' 15; sleep 4
  snap $G 15-working-no-tokens-yet $w "Claude working while the model has not sent any text yet (spinner, elapsed seconds, 'esc to interrupt')" working - -
  key $w Escape; waitfor $w '^❯ what does the build script do\?' 10; sleep 1
  snap $G 16-interrupted-by-esc $w "Claude after Esc before any output: the prompt text is put back into the input box (idle, with draft)" idle - -
  key $w C-u; sleep 0.5

  mode list; line $w "what should I do next?"; waitfor $w 'Let me know which one' 20; sleep 2
  snap $G 17-numbered-list-output-trap $w "Claude idle after answering with a plain numbered list '1. Read the configuration file ... 4. Commit the change' (NOT a prompt)" idle - -

  # safe commands: read-only ones run without asking; others prompt
  line $w "/clear"; sleep 2
  mode "bash:ls -la"; line $w "list the files"
  waitfor $w 'Do you want to proceed|Done\.' 20; sleep 1
  if screen $w | grep -q 'Do you want to proceed'; then
    snap $G 18-bash-prompt-ls $w "Claude Bash permission prompt for 'ls -la'" confirm Enter safe
    key $w 1; waitfor $w 'Done\.' 15; sleep 1
  fi
  snap $G 19-after-bash-ls-ran $w "Claude idle after 'ls -la' ran (read-only commands run without a prompt): '● Bash(ls -la)' with output, then 'Done.'" idle - -
  line $w "/clear"; sleep 2
  mode "bash:git status"; line $w "show the git status"
  waitfor $w 'Do you want to proceed|Done\.' 20; sleep 1
  if screen $w | grep -q 'Do you want to proceed'; then
    snap $G 20-bash-prompt-git-status $w "Claude Bash permission prompt for 'git status'" confirm Enter safe
    key $w 1; waitfor $w 'Done\.' 15; sleep 1
  fi
  snap $G 21-after-git-status-ran $w "Claude idle after 'git status' ran without a prompt: '● Bash(git status)' with output, then 'Done.'" idle - -

  line $w "/clear"; sleep 2
  mode "bash:touch made-by-claude"; line $w "make the marker file"
  waitfor $w 'Do you want to proceed|Done\.' 20; sleep 1
  snap $G 22-bash-prompt-touch $w "Claude Bash permission prompt for 'touch made-by-claude': title 'Bash command', 'Tip: auto mode handles these prompts for you — choose \"switch to auto mode\" below', description, the command between ╌╌╌ rules, 'Do you want to proceed?' ❯ 1. Yes / 2. Yes, and don't ask again ... / 3. Yes, and switch to auto mode · ... / 4. No; 'Esc to cancel · Tab to amend'" confirm Enter safe
  key $w Enter; waitfor $w 'Done\.' 15; sleep 1
  snap $G 23-after-touch-approved $w "Claude idle after approving the touch with option 1: '● Bash(touch made-by-claude)', 'Done.'" idle - -

  line $w "/clear"; sleep 2
  mode "bash:echo hi > greeting.txt"; line $w "write a greeting file with the shell"
  waitfor $w 'Do you want to proceed|Done\.' 20; sleep 1
  snap $G 24-bash-prompt-echo-redirect $w "Claude Bash permission prompt for 'echo hi > greeting.txt' (four options, 3 = switch to auto mode, 4 = No)" confirm Enter safe
  key $w Escape; sleep 1.5

  mkdir -p "$P/build"; touch "$P/build/out.o"
  line $w "/clear"; sleep 2
  mode "bash:rm -rf build"; line $w "clean the build dir"
  waitfor $w 'Do you want to proceed' 20; sleep 1
  snap $G 25-bash-prompt-rm-rf $w "Claude Bash permission prompt for 'rm -rf build': 'Tip: auto mode ...', '╌╌╌ / rm -rf build / ╌╌╌', 'Do you want to proceed?' ❯ 1. Yes / 2. Yes, and always allow access to <dir>/build from this project / 3. Yes, and switch to auto mode · auto mode handles these prompts for you / 4. No" confirm Enter dangerous
  key $w Down; sleep 0.4; key $w Down; sleep 0.7
  snap $G 26-bash-prompt-rm-rf-cursor-on-auto-mode $w "same rm -rf prompt after Down Down: the cursor is on '❯ 3. Yes, and switch to auto mode'; Enter would switch modes, '1' approves once" confirm 1 dangerous
  key $w Up; sleep 0.4; key $w Up; sleep 0.4; key $w Tab; sleep 1
  snap $G 27-bash-prompt-rm-rf-after-tab-amend $w "same rm -rf prompt after Tab ('amend'): option 1 reads '1. Yes, and tell Claude what to do next', footer 'Esc to cancel'" confirm Enter dangerous
  key $w Escape; sleep 0.5; key $w Escape; sleep 1.5
  snap $G 28-after-rejecting-with-esc $w "Claude after Esc on the rm -rf prompt: 'Interrupted · What should Claude do instead?', idle input box" idle - -

  line $w "/clear"; sleep 2
  mode "bash:git push --force origin main"; line $w "publish the branch"
  waitfor $w 'Do you want to proceed' 20; sleep 1
  snap $G 29-bash-prompt-force-push $w "Claude Bash permission prompt for 'git push --force origin main' (four options)" confirm Enter dangerous
  key $w Escape; sleep 1.5

  line $w "/clear"; sleep 2
  mode "bash:npm install left-pad"; line $w "add the left-pad package"
  waitfor $w 'Do you want to proceed' 20; sleep 1
  snap $G 30-bash-prompt-npm-install $w "Claude Bash permission prompt for 'npm install left-pad' (installs software)" confirm Enter dangerous
  key $w Escape; sleep 1.5

  line $w "/clear"; sleep 2
  mode "bash:find . -name '*.o' -newer README.md -print && rm -rf build/cache build/tmp build/objects build/reports build/logs build/generated"
  line $w "clear the build caches"
  waitfor $w 'Do you want to proceed' 20; sleep 1
  snap $G 31-bash-prompt-long-rm-rf-wrapped $w "Claude Bash permission prompt for a command longer than a row ('find ... && rm -rf build/cache ...'): the command wraps inside the ╌╌╌ block" confirm Enter dangerous
  key $w Escape; sleep 1.5

  line $w "/clear"; sleep 2
  mode "write:notes.txt"; line $w "create notes.txt"
  waitfor $w 'Do you want to create' 20; sleep 1
  snap $G 32-write-file-prompt $w "Claude Write permission prompt 'Create file notes.txt' with the content preview between ╌╌╌ rules, 'Do you want to create notes.txt?' ❯ 1. Yes / 2. Yes, and switch to accept edits ... / 3. No" confirm Enter safe
  key $w Enter; waitfor $w 'Done\.' 15; sleep 1

  mkdir -p "$WORK/other/some-rather-long-directory-name/another-long-subdirectory"
  line $w "/clear"; sleep 2
  mode "write:$WORK/other/some-rather-long-directory-name/another-long-subdirectory/notes-outside.txt"
  line $w "write notes outside the project"
  waitfor $w 'Do you want to create' 20; sleep 1
  snap $G 33-write-outside-project-wrapped-option $w "Claude Write prompt for a file OUTSIDE the project: option 2 'Yes, and switch to accept edits (...) for this session; Yes, and always allow access to <long dir> for this session (shift+tab)' WRAPS onto two more rows; ❯ 1. Yes / 3. No" confirm Enter safe
  key $w Escape; sleep 1.5

  line $w "/clear"; sleep 2
  mode "edit:hello.txt|hello world|goodbye world"; line $w "change the greeting"
  waitfor $w 'Do you want to make this edit' 20; sleep 1
  snap $G 34-edit-file-prompt $w "Claude Edit permission prompt: diff of hello.txt, 'Do you want to make this edit to hello.txt?' ❯ 1. Yes / 2. Yes, and switch to accept edits ... / 3. No" confirm Enter safe
  key $w 2; waitfor $w 'Done\.' 15; sleep 1
  snap $G 35-after-edit-accept-edits-on $w "Claude idle after choosing option 2 on the edit: footer now '⏵⏵ accept edits on'" idle - -

  # the permission modes, cycled with shift+tab, from accept edits
  key $w BTab; sleep 1.2
  snap $G 36-idle-footer-after-shift-tab-1 $w "Claude idle after one shift+tab from accept edits (the next permission mode in the cycle, as its footer says)" idle - -
  key $w BTab; sleep 1.2
  snap $G 37-idle-footer-after-shift-tab-2 $w "Claude idle after a second shift+tab (the next permission mode in the cycle)" idle - -
  key $w BTab; sleep 1.2
  snap $G 38-idle-footer-after-shift-tab-3 $w "Claude idle after a third shift+tab" idle - -
  # back to manual mode, whatever the cycle is
  for _ in 1 2 3 4 5; do screen $w | grep -q 'manual mode on' && break; key $w BTab; sleep 1; done

  line $w "/model"; waitfor $w 'Select model|Choose|model' 10; sleep 1.5
  snap $G 39-model-picker $w "Claude /model picker (a choice that approves nothing)" input - -
  key $w Escape; sleep 1.5

  line $w "/clear"; sleep 2
  mode "error:500"; line $w "summarize the README"
  waitfor $w 'Retrying|attempt' 20; sleep 0.5
  snap $G 40-api-error-500-retrying $w "Claude after an HTTP 500 from the API, retrying (attempt n/2)" working - -
  waitfor $w 'API Error' 40; sleep 3
  snap $G 41-api-error-500-final $w "Claude idle after giving up: 'API Error: 500 ...' in the transcript, input box ready" error - -

  line $w "/clear"; sleep 2
  mode "error:401"; line $w "summarize the README again"
  waitfor $w 'API Error|Invalid API key|login|authentication' 30; sleep 2
  snap $G 42-api-error-401-invalid-key $w "Claude after HTTP 401 authentication_error: 'Invalid API key' style error, input box ready" error - -

  mode "text:ok"
  line $w "/clear"; sleep 2
  line $w "/exit"; waitfor $w 'claude exited with status' 15; sleep 0.5
  snap $G 43-exit-resume-line $w "Claude after /exit, its process gone but the pane still alive (run under sh -c 'claude; echo; echo [claude exited ...]; sleep'): its farewell 'Resume this session with: claude --resume <id>' and the wrapper's line" exited - -
  kill_win $w

  # 3. bypass permissions (as root it needs IS_SANDBOX=1)
  proj_reset
  H=$PFX/homes/claude-bypass; claude_latest_home "$H" ""
  w=cb
  win $w "$P" "$(aienv "$H") IS_SANDBOX=1 ANTHROPIC_BASE_URL=$FAKEURL ANTHROPIC_API_KEY=$CKEY claude --dangerously-skip-permissions"
  waitfor $w 'Bypass Permissions mode' 30; sleep 1
  snap $G 44-bypass-permissions-warning $w "Claude --dangerously-skip-permissions start-up warning: 'WARNING: Claude Code running in Bypass Permissions mode ...' UNNUMBERED '❯ No, exit' / '  Yes, I accept'; 'Enter to confirm · Esc to cancel'" confirm "Down Enter" dangerous
  key $w Down; sleep 0.5; key $w Enter; waitfor $w 'bypass permissions on' 20; sleep 1.5
  snap $G 45-idle-bypass-permissions $w "Claude idle in bypass permissions mode: footer '⏵⏵ bypass permissions on (shift+tab to cycle)'" idle - -
  kill_win $w
}

# ------------------------------------------------------------------ Codex, newest
group_codex_latest() {
  local v
  v=$(pkg_version @openai/codex)
  group_codex "codex-$v"
  local G=codex-$v w=xy H=$PFX/homes/codex-main
  # the raw JSON error body a 400 leaves on screen
  win xe "$P" "$(aienv "$H") FAKE_OPENAI_KEY=sk-fake codex"
  waitfor xe 'Ask Codex to do anything' 30; sleep 3
  mode "error:400"; line xe "summarize the README"
  waitfor xe 'invalid_request_error' 30; sleep 2
  snap $G 40-api-error-400-raw-json xe "Codex after HTTP 400 invalid_request_error: the raw JSON body on screen, '■ {\"error\":{\"message\":\"Invalid value for ...\",\"type\":\"invalid_request_error\",...}}', input ready" error - -
  kill_win xe
  mode "text:ok"
  # YOLO: --dangerously-bypass-approvals-and-sandbox
  win $w "$P" "$(aienv "$H") FAKE_OPENAI_KEY=sk-fake codex --dangerously-bypass-approvals-and-sandbox"
  waitfor $w 'Ask Codex to do anything' 30; sleep 3
  snap $G 41-idle-yolo-mode $w "Codex idle started with --dangerously-bypass-approvals-and-sandbox: header 'permissions: YOLO mode' (the CLI approves by itself)" idle - -
  kill_win $w
}
