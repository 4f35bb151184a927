# Sourced by capture.sh (inside the namespace): Claude Code, Codex, Gemini CLI
# against tests/capture/fake-model.js on 127.0.0.1:8787.
# shellcheck shell=bash

FAKEURL=http://127.0.0.1:8787
CKEY=sk-ant-api03-FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE0123456789abcdefXYZ

# aienv HOME : env -i prefix for an AI CLI
aienv() { echo "env -i HOME=$1 TERM=xterm-256color LANG=C.UTF-8 PATH=$BASEPATH"; }

proj_reset() {  # a small project dir used as the CLIs' cwd
  P=$WORK/proj
  rm -rf "$P"; mkdir -p "$P/build" "$WORK/other"
  rm -f "$WORK/other/notes.txt"
  ( cd "$P" && git init -q && printf 'hello world\n' > hello.txt && touch build/out.o &&
    printf '# demo\nA tiny demo project.\n' > README.md )
}

# ------------------------------------------------------------------ Claude Code
claude_home() {  # claude_home DIR : onboarding done, key approved, $P trusted
  rm -rf "$1"; mkdir -p "$1/.claude"
  cat > "$1/.claude.json" <<EOF
{
  "hasCompletedOnboarding": true,
  "lastOnboardingVersion": "2.1.197",
  "numStartups": 5,
  "customApiKeyResponses": { "approved": ["${CKEY: -20}"], "rejected": [] },
  "projects": { "$P": { "hasTrustDialogAccepted": true, "allowedTools": [] } }
}
EOF
  echo '{"theme":"dark"}' > "$1/.claude/settings.json"
}
csend() { line "$1" "$2"; }

group_claude() {
  start_group claude
  local G=claude w H
  proj_reset
  "$BIN/claude" --version > "$OUT/claude/VERSION" 2>&1
  echo "npm package @anthropic-ai/claude-code $(node -p "require('$PFX/node_modules/@anthropic-ai/claude-code/package.json').version")" >> "$OUT/claude/VERSION"

  # 1. first run, no key, no config: the connectivity pre-flight (ignores ANTHROPIC_BASE_URL) fails and exits
  H=$PFX/homes/claude-first; rm -rf "$H"; mkdir -p "$H"
  win c0 "$P" "$(aienv "$H") claude"
  waitfor c0 'Unable to connect to Anthropic services' 30
  snap $G 01-first-run-connectivity-error c0 "Claude Code first run without network: welcome art, 'Unable to connect to Anthropic services / Failed to connect to api.anthropic.com: ECONNREFUSED'; the process exits 1 right after" error - -
  dead c0 15
  snap $G 02-first-run-connectivity-error-pane-dead c0 "same screen after Claude exited: tmux 'Pane is dead (status 1, <date>)' at the bottom" exited - -
  kill_win c0

  # 2. onboarding (fresh HOME, ANTHROPIC_AUTH_TOKEN set so the OAuth pre-flight is skipped, plus ANTHROPIC_API_KEY)
  H=$PFX/homes/claude-onboard; rm -rf "$H"; mkdir -p "$H"
  win c1 "$P" "$(aienv "$H") ANTHROPIC_BASE_URL=$FAKEURL ANTHROPIC_AUTH_TOKEN=$CKEY ANTHROPIC_API_KEY=$CKEY claude"
  waitfor c1 'Choose the text style' 30; sleep 1
  snap $G 03-onboarding-theme-picker c1 "Claude onboarding theme picker: 'Choose the text style that looks best with your terminal', 7 numbered themes, '❯ 2. Dark mode ✔' preselected, diff preview below" confirm Enter safe
  key c1 Enter; waitfor c1 'Do you want to use this API key' 10; sleep 0.5
  snap $G 04-onboarding-approve-api-key c1 "Claude onboarding 'Detected a custom API key in your environment ... Do you want to use this API key?' 1. Yes / 2. No (recommended); '❯ 2. No' is PRESELECTED so Enter declines" confirm 1 safe
  key c1 1; waitfor c1 'Press Enter to continue' 10; sleep 0.5
  snap $G 05-onboarding-security-notes c1 "Claude onboarding 'Security notes: 1. Claude can make mistakes ... 2. Due to prompt injection risks ...' and 'Press Enter to continue…' (numbered text, but the only action is Enter)" confirm Enter safe
  key c1 Enter; waitfor c1 'Yes, I trust this folder' 10; sleep 0.5
  snap $G 06-trust-folder c1 "Claude 'Accessing workspace: <dir> ... Is this a project you created or one you trust?' ❯ 1. Yes, I trust this folder / 2. No, exit" confirm Enter dangerous
  key c1 Enter; waitfor c1 '\? for shortcuts' 20; sleep 1.5
  snap $G 07-idle-after-onboarding-auth-warning c1 "Claude idle input box right after onboarding, with a warning block '⚠ Both ANTHROPIC_AUTH_TOKEN and ANTHROPIC_API_KEY set'" idle - -
  kill_win c1

  # 3. main session: pre-seeded HOME, API key only
  H=$PFX/homes/claude-main; claude_home "$H"
  w=cm
  win $w "$P" "$(aienv "$H") ANTHROPIC_BASE_URL=$FAKEURL ANTHROPIC_API_KEY=$CKEY CLAUDE_CODE_MAX_RETRIES=2 claude"
  waitfor $w '\? for shortcuts' 30; sleep 2
  snap $G 08-idle-welcome $w "Claude idle: welcome box (Welcome back!, model, cwd), empty '❯' input box between rules, '? for shortcuts' footer" idle - -
  typ $w "refactor the parser module"; sleep 0.5
  snap $G 09-idle-draft-typed $w "Claude idle with an unsent draft 'refactor the parser module' typed in the input box" idle - -
  mode "slow:24"; key $w Enter
  waitfor $w 'esc to interrupt' 15; sleep 2
  snap $G 10-working-streaming-1 $w "Claude working: streamed text growing, spinner line like '✢ Brewing… (3s · ↓ 28 tokens)', footer 'esc to interrupt'" working - -
  sleep 6
  snap $G 11-working-streaming-2 $w "Claude working, later in the same slow stream (spinner line with elapsed time and token count)" working - -
  sleep 6
  snap $G 12-working-streaming-3 $w "Claude working, later still" working - -
  waitfor $w '(Brewed|Cooked|Worked|Baked|Churned|Crunched|Sautéed|Cogitated) for|for [0-9]+s$' 40; sleep 1
  snap $G 13-idle-after-response $w "Claude idle after a long answer ('✻ <Verb>ed for 24s' summary line), empty input box" idle - -

  mode hang; line $w "what does the build script do?"
  waitfor $w 'esc to interrupt' 15; sleep 4
  snap $G 14-working-no-tokens-yet $w "Claude working while the model has not sent any text yet (spinner, elapsed seconds, 'esc to interrupt')" working - -
  key $w Escape; waitfor $w '^❯ what does the build script do\?' 10; sleep 1
  snap $G 15-interrupted-by-esc $w "Claude after Esc before any output: the request is withdrawn and the prompt text 'what does the build script do?' is put back into the input box (idle, with draft)" idle - -
  key $w C-u; sleep 0.5

  mode list; line $w "what should I do next?"; waitfor $w 'Let me know which one' 20; sleep 2
  snap $G 16-numbered-list-output-trap $w "Claude idle after answering with a plain numbered list '1. Read the configuration file 2. ... 4. Commit the change' (NOT a prompt)" idle - -

  line $w "/clear"; sleep 2
  mode "bash:ls -la"; line $w "list the files"
  waitfor $w 'Do you want to proceed|Done\.' 20; sleep 1
  if screen $w | grep -q 'Do you want to proceed'; then
    snap $G 17-bash-prompt-ls $w "Claude Bash permission prompt for 'ls -la': 'Do you want to proceed?' ❯ 1. Yes / 2. Yes, and don't ask again ... / 3. No; 'Esc to cancel · Tab to amend'" confirm Enter safe
    key $w Enter; waitfor $w 'Done\.' 15; sleep 1
  fi
  snap $G 18-after-bash-ls-ran $w "Claude idle after the ls tool call ran: '● Bash(ls -la)' with output, then 'Done.'" idle - -

  mkdir -p "$P/build"; touch "$P/build/out.o"
  line $w "/clear"; sleep 2
  mode "bash:rm -rf build"; line $w "clean the build dir"
  waitfor $w 'Do you want to proceed' 20; sleep 1
  snap $G 19-bash-prompt-rm-rf $w "Claude Bash permission prompt for 'rm -rf build': ❯ 1. Yes / 2. Yes, and always allow access to build/ from this project / 3. No; 'Esc to cancel · Tab to amend · ctrl+e to explain'; 1 preselected" confirm Enter dangerous
  key $w Tab; sleep 1
  snap $G 20-bash-prompt-rm-rf-after-tab-amend $w "same rm -rf prompt after pressing Tab ('amend'): option 1 became '1. Yes, and tell Claude what to do next', which opens a text field instead of plainly approving" confirm Enter dangerous
  key $w Escape; sleep 1.5
  snap $G 21-after-rejecting-with-esc $w "Claude after Esc on the rm -rf prompt: tool call shown as rejected / 'Interrupted · What should Claude do instead?', idle input box" idle - -

  line $w "/clear"; sleep 2
  mode "bash:echo hi > greeting.txt"; line $w "write a greeting file with the shell"
  waitfor $w 'Do you want to proceed|Done\.' 20; sleep 1
  if screen $w | grep -q 'Do you want to proceed'; then
    snap $G 22-bash-prompt-echo-redirect $w "Claude Bash permission prompt for 'echo hi > greeting.txt' (1 Yes / 2 Yes, and don't ask again ... / 3 No)" confirm Enter safe
    key $w 2; waitfor $w 'Done\.' 15; sleep 1
    snap $G 23-after-dont-ask-again $w "Claude idle after choosing option 2 ('Yes, and don't ask again ...') on the echo prompt; command ran, 'Done.'" idle - -
  fi

  line $w "/clear"; sleep 2
  mode "write:notes.txt"; line $w "create notes.txt"
  waitfor $w 'Do you want to create' 20; sleep 1
  snap $G 24-write-file-prompt $w "Claude Write permission prompt 'Create file notes.txt' with the content preview, 'Do you want to create notes.txt?' ❯ 1. Yes / 2. Yes, allow all edits during this session (shift+tab) / 3. No" confirm Enter safe
  key $w Enter; waitfor $w 'Done\.' 15; sleep 1
  snap $G 25-after-write-approved $w "Claude idle after the Write was approved: '● Write(notes.txt)' summary and 'Done.'" idle - -

  line $w "/clear"; sleep 2
  mode "edit:hello.txt|hello world|goodbye world"; line $w "change the greeting"
  waitfor $w 'Do you want to make this edit' 20; sleep 1
  snap $G 26-edit-file-prompt $w "Claude Edit permission prompt: diff of hello.txt (-hello world / +goodbye world), 'Do you want to make this edit to hello.txt?' ❯ 1. Yes / 2. Yes, allow all edits during this session (shift+tab) / 3. No" confirm Enter safe
  key $w 2; waitfor $w 'Done\.' 15; sleep 1
  snap $G 27-after-edit-accept-edits-on $w "Claude idle after choosing 'allow all edits during this session': footer now shows '⏵⏵ accept edits on'" idle - -

  line $w "/model"; waitfor $w 'Select model|Choose|model' 10; sleep 1.5
  snap $G 28-model-picker $w "Claude /model picker: numbered list of models with the current one marked, 'Enter to confirm · Esc to exit'" confirm Enter safe
  key $w Escape; sleep 1.5

  line $w "/clear"; sleep 2
  mode "error:500"; line $w "summarize the README"
  waitfor $w 'Retrying|attempt' 20; sleep 0.5
  snap $G 29-api-error-500-retrying $w "Claude after an HTTP 500 from the API, retrying (retry countdown with attempt n/2; CLAUDE_CODE_MAX_RETRIES=2 was set)" working - -
  waitfor $w 'API Error' 40; waitfor $w '(Worked|Cooked|Brewed|Baked|Churned|Sautéed|Crunched|Cogitated) for' 20; sleep 2
  snap $G 30-api-error-500-final $w "Claude idle after giving up: 'API Error: 500 ...' shown in the transcript, input box ready" error - -

  line $w "/clear"; sleep 2
  mode "error:401"; line $w "summarize the README again"
  waitfor $w 'API Error|Invalid API key|login|authentication' 30; sleep 2
  snap $G 31-api-error-401-invalid-key $w "Claude after HTTP 401 authentication_error: 'Invalid API key · Please run /login' style error, input box ready" error - -

  mode "text:ok"
  line $w "/exit"; dead $w 15
  snap $G 32-exited-after-slash-exit $w "Claude after /exit: the slash-command menu that was open when Enter was pressed is left on screen, then 'Resume this session with: claude --resume <id>' and tmux 'Pane is dead (status 0, <date>)'; pane title reset to empty" exited - -
  kill_win $w
}

# ------------------------------------------------------------------ Codex
codex_home() {  # codex_home DIR : fake provider, on-request approvals, $P trusted
  rm -rf "$1"; mkdir -p "$1/.codex"
  cat > "$1/.codex/config.toml" <<EOF
model = "gpt-5-codex"
model_provider = "fake"
approval_policy = "on-request"
sandbox_mode = "workspace-write"

[model_providers.fake]
name = "Fake"
base_url = "$FAKEURL/v1"
env_key = "FAKE_OPENAI_KEY"
wire_api = "responses"
request_max_retries = 1
stream_max_retries = 1

[projects."$P"]
trust_level = "trusted"
EOF
}

group_codex() {  # [GROUP] : tests/screens/GROUP (default codex)
  local G=${1:-codex} w H
  start_group $G
  proj_reset
  "$BIN/codex" --version > "$OUT/$G/VERSION" 2>&1
  echo "npm package @openai/codex $(node -p "require('$PFX/node_modules/@openai/codex/package.json').version")" >> "$OUT/$G/VERSION"

  # 1. first run: login choice, API key entry, trust; then no network (real api.openai.com unreachable)
  H=$PFX/homes/codex-first; rm -rf "$H"; mkdir -p "$H"
  win x0 "$P" "$(aienv "$H") codex"
  waitfor x0 'Sign in with ChatGPT' 30; sleep 1
  snap $G 01-first-run-login-choice x0 "Codex first run 'Welcome to Codex ... Choose how you want to use Codex.' > 1. Sign in with ChatGPT / 2. Sign in with Device Code / 3. Sign in another way; 'Press enter to continue' (login required)" confirm Enter safe
  key x0 3; waitfor x0 'Use an OpenAI API key' 10; sleep 0.5
  snap $G 02-login-another-way x0 "Codex 'Sign in another way': > 1. Use an OpenAI API key / 2. Use Amazon Bedrock; 'Press enter to continue / Press esc to go back'" confirm Enter safe
  key x0 Enter; waitfor x0 'Paste or type your API key' 10; sleep 0.5
  snap $G 03-api-key-entry x0 "Codex API key entry box 'Paste or type your API key', 'Press enter to save' (text input)" input - -
  typ x0 "sk-fake-0123456789abcdef"; key x0 Enter
  waitfor x0 'Trust this folder' 15; sleep 0.5
  snap $G 04-trust-folder x0 "Codex 'Folder access <dir> Trust this folder? ...' › 1. Trust and continue / 2. Back to Agent Command Center; 'enter continue · esc back'" confirm Enter dangerous
  key x0 Enter; waitfor x0 'Ask Codex to do anything' 20; sleep 2
  snap $G 05-idle-first-start x0 "Codex idle on first start: big logo, '› Ask Codex to do anything' input, model/cwd status line" idle - -
  line x0 "hello"   # goes to the real API host, which is unreachable here; captured later

  # 2. main session against the fake server
  H=$PFX/homes/codex-main; codex_home "$H"
  w=xm
  win $w "$P" "$(aienv "$H") FAKE_OPENAI_KEY=sk-fake codex"
  waitfor $w 'Ask Codex to do anything' 30; sleep 2
  snap $G 06-idle $w "Codex idle: header '>_ OpenAI Codex (v<version>)', logo, '› Ask Codex to do anything' placeholder, '? for shortcuts'" idle - -
  typ $w "refactor the parser module"; sleep 0.5
  snap $G 07-idle-draft-typed $w "Codex idle with an unsent draft 'refactor the parser module' in the input" idle - -
  mode hang; key $w Enter
  waitfor $w 'Working' 15; sleep 3
  snap $G 08-working-before-first-token $w "Codex working, no output yet: '• Working (3s • esc to interrupt)'; title starts with a braille spinner" working - -
  key $w Escape; waitfor $w 'nterrupt' 10; sleep 1
  snap $G 09-interrupted $w "Codex after Esc: '■ Conversation interrupted - tell the model what to do differently...', idle input" idle - -

  mode "slow:20"; line $w "explain the project"
  sleep 4
  snap $G 10-working-streaming-1 $w "Codex working while streaming text: answer text growing, NO status line on screen (only the pane title shows a spinner)" working - -
  sleep 7
  snap $G 11-working-streaming-2 $w "Codex working, later in the same stream (title spinner only)" working - -
  waitfor $w 'Worked for' 30; sleep 1
  snap $G 12-idle-after-response $w "Codex idle after the answer: 'Worked for 20s • HH:MM' separator, empty input" idle - -

  mode list; line $w "what should I do next?"; waitfor $w 'Let me know which one' 20; sleep 2
  snap $G 13-numbered-list-output-trap $w "Codex idle after answering with a plain numbered list 1.-4. (NOT a prompt)" idle - -

  mode "bash:ls -la"; line $w "list the files"
  waitfor $w 'Would you like to run|List ls|Ran ls' 20; sleep 1.5
  if screen $w | grep -q 'Would you like to run'; then
    snap $G 14-exec-prompt-ls $w "Codex exec approval for 'ls -la'" confirm y safe
    key $w y; waitfor $w 'Worked for' 15; sleep 1
  fi
  snap $G 15-after-ls-ran-in-sandbox $w "Codex idle after running 'ls -la' inside the sandbox without asking: '• Explored └ List ls -la', 'Done.'" idle - -

  mode "bash:rm -rf build"; line $w "clean the build dir"
  waitfor $w 'Would you like to run' 20; sleep 1
  snap $G 16-exec-prompt-rm-rf $w "Codex exec approval 'Would you like to run the following command? ... \$ rm -rf build' › 1. Yes, proceed (y) / 2. Yes, and don't ask again for commands that start with \`rm -rf build\` (p) / 3. No, and tell Codex what to do differently (esc); title '[ ! ] Action Required | proj'" confirm y dangerous
  key $w y; waitfor $w 'You approved codex' 15; waitfor $w 'Worked for' 15; sleep 1
  snap $G 17-after-approve-rm-rf $w "Codex idle after approving: '✔ You approved codex to run rm -rf build this time', '• Ran rm -rf build', 'Done.'" idle - -

  mode "bashx:curl -sS https://example.invalid/deps.json"; line $w "fetch the dependency list"
  waitfor $w 'Would you like to run' 20; sleep 1
  snap $G 18-exec-prompt-escalation-with-reason $w "Codex exec approval for a command asking to run outside the sandbox, with the model's justification ('Reason: Needs network access ...') and options y / p / esc" confirm y dangerous
  key $w p; waitfor $w 'Worked for' 20; sleep 1.5
  snap $G 19-after-dont-ask-again $w "Codex idle after choosing 'Yes, and don't ask again for commands that start with ...' (p); command ran (and failed: no network) then 'Done.'" idle - -

  mode "write:$WORK/other/notes.txt"; line $w "write notes outside the project"
  waitfor $w 'Would you like to make the following edits' 20; sleep 1
  snap $G 20-patch-prompt-write-outside-workspace $w "Codex apply_patch approval: '• Added <path>/notes.txt (+2 -0)' diff, 'Would you like to make the following edits?' › 1. Yes, proceed (y) / 2. Yes, and don't ask again for these files (a) / 3. No, and tell Codex what to do differently (esc)" confirm y safe
  key $w y; waitfor $w 'Worked for' 15; sleep 1
  snap $G 21-after-patch-approved $w "Codex idle after the patch was approved ('Done.')" idle - -

  mode "edit:hello.txt|hello world|goodbye world"; line $w "change the greeting"
  waitfor $w 'Edited hello.txt|Would you like to make' 20; sleep 1.5
  if screen $w | grep -q 'Would you like to make'; then
    snap $G 22-patch-prompt-edit $w "Codex apply_patch approval for editing hello.txt" confirm y safe
    key $w y; sleep 3
  else
    waitfor $w 'Worked for' 15; sleep 1
    snap $G 22-after-edit-in-workspace-no-prompt $w "Codex idle after editing hello.txt inside the workspace without asking: '• Edited hello.txt (+1 -1)' with the diff, 'Done.'" idle - -
  fi

  line $w "/model"; sleep 2.5
  snap $G 23-model-picker $w "Codex /model picker: 'Select Model and Effort', numbered models with the current one marked, 'Press enter to select ...'" confirm Enter safe
  key $w Escape; sleep 1.5

  mode "error:401"; line $w "summarize the README"
  waitfor $w '401|Unauthorized|nauthorized|API key' 30; sleep 2
  snap $G 24-api-error-401 $w "Codex after HTTP 401 from the provider: error message in the transcript ('unexpected status 401 Unauthorized ...'), input ready" error - -
  mode "error:500"; line $w "summarize the README again"
  waitfor $w 'README again' 10; waitfor $w 'high demand|500|Internal' 60; sleep 2
  snap $G 25-api-error-500-final $w "Codex after HTTP 500 (request_max_retries=1, so it gives up fast): '■ We’re currently experiencing high demand, which may cause temporary errors.' under the 401 error, input ready" error - -

  # back to the first-run window that talks to the unreachable real API
  snap $G 26-no-network-still-working x0 "Codex with the real OpenAI provider and no network, some 40-60 s after 'hello': '◦ Working (40s • esc to interrupt)' (it alternates with 'Reconnecting... n/5' / 'waiting for network' lines and keeps retrying for minutes; no error yet)" working - -
  mode "text:ok"
  key $w C-c; sleep 0.7; key $w C-c; dead $w 15
  snap $G 27-exited-after-ctrl-c $w "Codex after Ctrl-C twice: 'To reconnect, run: codex resume <id>', token usage line, '^C' and tmux 'Pane is dead (signal 2, <date>)'; pane title reset to empty" exited - -
  kill_win $w; kill_win x0
}

# ------------------------------------------------------------------ Gemini CLI
gemini_home() {  # gemini_home DIR : API-key auth selected, $P trusted
  rm -rf "$1"; mkdir -p "$1/.gemini"
  echo '{"security":{"auth":{"selectedType":"gemini-api-key"}}}' > "$1/.gemini/settings.json"
  echo "{\"$P\":\"TRUST_FOLDER\"}" > "$1/.gemini/trustedFolders.json"
}

group_gemini() {
  start_group gemini
  local G=gemini w H
  proj_reset
  H=$PFX/homes/gemini-v; mkdir -p "$H"
  env -i HOME="$H" PATH="$BASEPATH" "$BIN/gemini" --version > "$OUT/gemini/VERSION" 2>&1
  echo "npm package @google/gemini-cli $(node -p "require('$PFX/node_modules/@google/gemini-cli/package.json').version")" >> "$OUT/gemini/VERSION"

  # 1. first run: trust, auth method, key entry; then the real API is unreachable
  H=$PFX/homes/gemini-first; rm -rf "$H"; mkdir -p "$H"
  win g0 "$P" "$(aienv "$H") gemini"
  waitfor g0 'Do you trust the files in this folder' 40; sleep 1
  snap $G 01-first-run-trust-folder g0 "Gemini first run: logo, tips, true-color warning and the box 'Do you trust the files in this folder?' ● 1. Trust folder (proj) / 2. Trust parent folder (work) / 3. Don't trust; title still says '◇  Ready (proj)'" confirm Enter dangerous
  key g0 Enter; waitfor g0 'How would you like to authenticate' 20; sleep 1
  snap $G 02-auth-method-choice g0 "Gemini 'Get started / How would you like to authenticate for this project?' ● 1. Sign in with Google / 2. Use Gemini API Key / 3. Vertex AI; 'No authentication method selected.' '(Use Enter to select)' (login required)" confirm Enter safe
  key g0 2; sleep 0.5; waitfor g0 'Enter Gemini API Key|Paste your API key' 10; sleep 0.5
  if ! screen g0 | grep -q 'Paste your API key'; then key g0 Enter; waitfor g0 'Paste your API key' 10; sleep 0.5; fi
  snap $G 03-api-key-entry g0 "Gemini 'Enter Gemini API Key' box with 'Paste your API key here' field; '(Press Enter to submit, Esc to cancel, ...)' (text input)" input - -
  typ g0 "AIzaFAKEFAKEFAKE0123456789"; key g0 Enter
  waitfor g0 'Type your message' 30; sleep 2
  snap $G 04-idle-first-start g0 "Gemini idle after first-run setup: '>   Type your message or @path/to/file' input, workspace/sandbox/model footer" idle - -
  line g0 "hello"   # real API unreachable: keeps 'Thinking...' while retrying
  waitfor g0 'Thinking' 20; sleep 8
  snap $G 05-no-network-thinking-retrying g0 "Gemini (real API, no network) still '⠙ Thinking... (esc to cancel, 10s)' while it silently retries (stays like this for minutes)" working - -
  kill_win g0

  # 2. main session against the fake server (GOOGLE_GEMINI_BASE_URL)
  H=$PFX/homes/gemini-main; gemini_home "$H"
  w=gm
  win $w "$P" "$(aienv "$H") GEMINI_API_KEY=AIzaFAKE GOOGLE_GEMINI_BASE_URL=$FAKEURL gemini"
  waitfor $w 'Type your message' 40; sleep 3
  snap $G 06-idle $w "Gemini idle: logo, tips, '>   Type your message or @path/to/file', footer with workspace / sandbox / model; title '◇  Ready (proj)'" idle - -
  typ $w "refactor the parser module"; sleep 0.5
  snap $G 07-idle-draft-typed $w "Gemini idle with an unsent draft typed in the input" idle - -
  mode "slow:20"; key $w Enter
  waitfor $w 'esc to cancel' 15; sleep 4
  snap $G 08-working-streaming-1 $w "Gemini working: streamed text, spinner line '⠹ Thinking... (esc to cancel, 5s)'; title '✦  Working… (proj)'" working - -
  sleep 7
  snap $G 09-working-streaming-2 $w "Gemini working, later in the same stream" working - -
  waitfor $w 'busy state for a while\.$' 30; sleep 3
  snap $G 10-idle-after-response $w "Gemini idle after the answer (title back to '◇  Ready (proj)')" idle - -

  mode hang; line $w "what does the build script do?"
  waitfor $w 'esc to cancel' 15; sleep 4
  snap $G 11-working-no-tokens-yet $w "Gemini working, nothing received yet: '⠏ Thinking... (esc to cancel, 4s)'" working - -
  key $w Escape; sleep 2
  snap $G 12-cancelled-by-esc $w "Gemini after Esc: 'Request cancelled.' and idle input" idle - -

  mode list; line $w "what should I do next?"; waitfor $w 'Let me know which one' 20; sleep 3
  snap $G 13-numbered-list-output-trap $w "Gemini idle after answering with a plain numbered list 1.-4. (NOT a prompt)" idle - -

  mode "bash:rm -rf build"; line $w "clean the build dir"
  waitfor $w 'Allow execution' 20; sleep 1
  snap $G 14-shell-prompt-rm-rf $w "Gemini shell confirmation '? Shell rm -rf build ... Allow execution of [Shell]?' ● 1. Allow once / 2. Allow for this session / 3. No, suggest changes (esc); title '✋  Action Required (proj)'" confirm Enter dangerous
  key $w Enter; waitfor $w 'Done\.' 20; sleep 2
  snap $G 15-after-approve-rm-rf $w "Gemini idle after 'Allow once': '✓ Shell rm -rf build' then 'Done.'" idle - -

  mode "bash:ls -la"; line $w "list the files"
  waitfor $w 'Allow execution|Done\.' 20; sleep 1
  if screen $w | grep -q 'Allow execution'; then
    snap $G 16-shell-prompt-ls $w "Gemini shell confirmation for 'ls -la' (1. Allow once / 2. Allow for this session / 3. No, suggest changes)" confirm Enter safe
    key $w 2; waitfor $w 'Done\.' 20; sleep 2
    snap $G 17-after-allow-for-session $w "Gemini idle after choosing '2. Allow for this session' for ls" idle - -
  else
    snap $G 16-after-ls-ran-without-asking $w "Gemini idle after running 'ls -la' without asking (read-only command auto-approved): '✓ Shell ls -la' box with output, 'Done.'" idle - -
  fi

  mode "write:notes.txt"; line $w "create notes.txt"
  waitfor $w 'Apply this change|Allow|Write' 20; sleep 1.5
  snap $G 18-write-file-prompt $w "Gemini WriteFile confirmation: new file diff for notes.txt and 'Apply this change?' ● 1. Allow once / 2. Allow for this session / ... / No, suggest changes (esc)" confirm Enter safe
  key $w Enter; waitfor $w 'Done\.' 20; sleep 2

  mode "edit:hello.txt|hello world|goodbye world"; line $w "change the greeting"
  waitfor $w 'Apply this change|Allow' 20; sleep 1.5
  snap $G 19-edit-file-prompt $w "Gemini Edit (replace) confirmation: diff of hello.txt and 'Apply this change?' with numbered options, 1 preselected" confirm Enter safe
  key $w 2; waitfor $w 'Done\.' 20; sleep 2
  snap $G 20-after-edit-allowed-for-session $w "Gemini idle after choosing '2. Allow for this session' on the edit: '✓ Edit hello.txt → Accepted (+1, -1)', footer switched to 'auto-accept edits'" idle - -

  line $w "/model"; sleep 3
  snap $G 21-model-picker $w "Gemini /model dialog: model choices (Auto / Pro / Flash ...), '(Press Esc to close)'" confirm Enter safe
  key $w Escape; sleep 1.5

  mode "error:400"; line $w "summarize the README"
  waitfor $w 'API Error|API key|Error' 40; sleep 2
  snap $G 22-api-error-400-invalid-key $w "Gemini after HTTP 400 'API key not valid': '✕ [API Error: ...]' line, idle input" error - -
  mode "error:500"; line $w "summarize the README again"
  sleep 10
  snap $G 23-api-error-500-retrying $w "Gemini 10 s after the API started answering HTTP 500: still '⠼ Thinking... (esc to cancel, 9s)' with no error shown; it silently retries with backoff for minutes (the 400 error from before is still visible above)" working - -
  key $w Escape; sleep 2
  mode "text:ok"
  line $w "/quit"; sleep 1.5
  [ "$(T display -p -t "cap:$w" '#{pane_dead}')" = 1 ] || key $w Enter   # first Enter only accepted the completion menu
  dead $w 20
  snap $G 24-exited-after-quit $w "Gemini after /quit: session summary box (Agent powering down / interaction summary, tool calls, model usage) and tmux 'Pane is dead (status 0, <date>)'" exited - -
  kill_win $w
}
