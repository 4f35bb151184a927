# Sourced by capture.sh (inside the namespace): opencode and Qwen Code, the
# two CLIs that talk to tests/capture/fake-model.js over the OpenAI
# chat-completions API (POST /v1/chat/completions, streamed tool calls).
# shellcheck shell=bash

# waitnot WIN REGEX [SECONDS]: poll the screen until REGEX no longer matches
waitnot() {
  local w=$1 re=$2 t=${3:-20} i
  for i in $(seq $((t * 5))); do
    screen "$w" | grep -Eq -- "$re" || return 0
    sleep 0.2
  done
  echo "WARN [$w] timed out waiting for /$re/ to go" >&2
  return 1
}

# ------------------------------------------------------------------ opencode
# done_o WIN: the turn has ended (its footer no longer says esc interrupt)
done_o() { waitnot "$1" 'esc (again to )?interrupt' 60; sleep 1.5; }
# approved_o WIN: a prompt was answered; its turn goes on, then ends
approved_o() { waitnot "$1" 'Allow once' 15; sleep 1; done_o "$1"; }

# opencode_home DIR [PERMISSION]: the fake provider as the only model, no
# auto-update, no sharing; PERMISSION (default: ask for bash and edits, as
# opencode's own default runs shell commands without asking).
opencode_home() {
  local perm=${2:-'{ "bash": "ask", "edit": "ask" }'}
  rm -rf "$1"; mkdir -p "$1/.config/opencode"
  cat > "$1/.config/opencode/opencode.json" <<EOF
{
  "\$schema": "https://opencode.ai/config.json",
  "provider": {
    "fake": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "Fake",
      "options": { "baseURL": "$FAKEURL/v1", "apiKey": "sk-fake" },
      "models": { "fake-model": { "name": "Fake Model", "tool_call": true } }
    }
  },
  "model": "fake/fake-model",
  "small_model": "fake/fake-model",
  "autoupdate": false,
  "share": "disabled",
  "permission": $perm
}
EOF
}

group_opencode() {
  start_group opencode
  local G=opencode w H
  proj_reset
  "$BIN/opencode" --version > "$OUT/opencode/VERSION" 2>&1
  echo "npm package opencode-ai $(node -p "require('$PFX/node_modules/opencode-ai/package.json').version")" >> "$OUT/opencode/VERSION"

  # 1. first run with no configuration at all: its own provider, unreachable
  H=$PFX/homes/opencode-first; rm -rf "$H"; mkdir -p "$H"
  win o0 "$P" "$(aienv "$H") opencode"
  waitfor o0 'Ask anything|ctrl\+p' 60; sleep 2
  snap $G 01-first-run-home o0 "opencode first run with no configuration: logo, 'Ask anything…' input box with its own default provider, 'ctrl+p commands'" idle - -
  line o0 "hello"
  sleep 25
  snap $G 02-first-run-no-network o0 "opencode first run, 25 s after 'hello' with no configuration and no network (its default provider is unreachable)" working - -
  kill_win o0

  # 2. main session: the fake provider, bash and edit set to ask
  H=$PFX/homes/opencode-main; opencode_home "$H"
  w=om
  win $w "$P" "$(aienv "$H") opencode"
  sleep 1.5
  snap $G 03-starting-blank $w "opencode just started: the alternate screen is up and still blank (title 'OpenCode')" starting - -
  waitfor $w 'Ask anything' 60; sleep 2
  snap $G 04-idle-home $w "opencode idle on its home screen: logo, '┃  Ask anything… \"Fix a TODO in the codebase\"', 'Build · Fake Model Fake', 'tab agents  ctrl+p commands'" idle - -
  typ $w "refactor the parser module"; sleep 0.5
  snap $G 05-idle-draft-typed $w "opencode idle with an unsent draft 'refactor the parser module' in its input box" idle - -
  mode "slow:30"; key $w Enter
  waitfor $w 'am working through' 60; sleep 3
  snap $G 06-working-streaming-1 $w "opencode working: the answer streams in, footer '⬝⬝⬝⬝⬝⬝⬝⬝  esc interrupt'" working - -
  sleep 6
  snap $G 07-working-streaming-2 $w "opencode working, later in the same stream" working - -
  waitfor $w '▣ +Build · Fake Model · [0-9]' 90; done_o $w
  snap $G 08-idle-after-response $w "opencode idle after the answer: '▣  Build · Fake Model · 30.2s' under it, footer with the cwd and 'ctrl+p commands'" idle - -

  mode hang; line $w "what does the build script do?"
  waitfor $w 'esc interrupt' 30; sleep 4
  snap $G 09-working-no-tokens-yet $w "opencode working, nothing received yet: spinner and 'esc interrupt' in the footer" working - -
  key $w Escape; sleep 1
  snap $G 10-working-esc-again $w "opencode after one Esc while working: the footer asks for a second Esc ('esc again to interrupt'); still working" working - -
  key $w Escape; waitfor $w 'interrupted' 10; done_o $w
  snap $G 11-interrupted $w "opencode after Esc twice: '▣  Build · Fake Model · interrupted', idle input box" idle - -

  mode list; line $w "what should I do next?"; waitfor $w 'Let me know which one' 60; done_o $w
  snap $G 12-numbered-list-output-trap $w "opencode idle after answering with a plain numbered list 1.-4. (NOT a prompt)" idle - -

  mode "bash:rm -rf build"; line $w "clean the build dir"
  waitfor $w 'Allow once' 40; sleep 1
  snap $G 13-bash-prompt-rm-rf $w "opencode permission prompt '△ Permission required / # Shell command / \$ rm -rf build' with the horizontal choice 'Allow once   Allow always   Reject' ('Allow once' selected), '⇆ select  enter confirm'" confirm Enter dangerous
  key $w Right; sleep 0.3; key $w Enter; waitfor $w 'Always allow' 10; sleep 1
  snap $G 14-always-allow-confirm $w "opencode after choosing 'Allow always' on the rm -rf prompt: '△ Always allow / This will allow the following patterns until OpenCode is restarted / - rm *' with 'Confirm   Cancel'" confirm - dangerous
  key $w Right; sleep 0.3; key $w Enter; waitfor $w 'Allow once' 10; sleep 0.5
  key $w Escape; waitfor $w 'ctrl\+p commands' 10; done_o $w
  snap $G 15-after-reject $w "opencode after Esc (Reject) on the rm -rf prompt: the tool call '\$ rm -rf build' left in the transcript, idle input box" idle - -

  mode "bash:echo hi > greeting.txt"; line $w "write a greeting file with the shell"
  waitfor $w 'Allow once' 40; sleep 1
  snap $G 16-bash-prompt-echo-redirect $w "opencode permission prompt for 'echo hi > greeting.txt' (Allow once / Allow always / Reject)" confirm Enter safe
  key $w Enter; approved_o $w
  snap $G 17-after-bash-approved $w "opencode idle after 'Allow once' on the echo prompt: the command's block and 'Done.'" idle - -

  mode "write:notes.txt"; line $w "create notes.txt"
  waitfor $w 'Allow once' 40; sleep 1
  snap $G 18-write-file-prompt $w "opencode permission prompt for writing the new file notes.txt, content preview, Allow once / Allow always / Reject" confirm Enter safe
  key $w Enter; approved_o $w

  mode "edit:hello.txt|hello world|goodbye world"; line $w "change the greeting"
  waitfor $w 'Allow once' 40; sleep 1
  snap $G 19-edit-file-prompt $w "opencode permission prompt '→ Edit hello.txt' with the diff (1 - hello world / 1 + goodbye world), Allow once / Allow always / Reject" confirm Enter safe
  key $w Enter; approved_o $w
  snap $G 20-after-edit-approved $w "opencode idle after the edit was approved ('Done.')" idle - -

  done_o $w
  line $w "/models"; waitfor $w 'Connect provider' 20; sleep 1.5
  snap $G 21-model-picker $w "opencode /models dialog: 'Select model' with a search field and the providers' models" input - -
  key $w Escape; sleep 1.5

  mode "error:401"; line $w "summarize the README"
  waitfor $w 'Incorrect API key' 60; done_o $w
  snap $G 22-api-error-401 $w "opencode after HTTP 401: the provider's message 'Incorrect API key provided (fake)' in a bordered block, '▣  Build · Fake Model' with no time, idle input box" error - -
  mode "error:500"; line $w "summarize the README again"
  waitfor $w 'retrying' 40; sleep 1
  snap $G 23-api-error-500-retrying $w "opencode after HTTP 500: footer '⬝⬝⬝ The server had an error ... [retrying in 2s attempt #1]   esc interrupt' (it keeps retrying with backoff)" working - -
  key $w Escape; sleep 0.5; key $w Escape; sleep 2
  mode "text:ok"
  typ $w "/exit"; sleep 1; key $w Enter
  dead $w 20
  snap $G 24-exited-after-exit $w "opencode after /exit: it left the alternate screen and printed its logo, 'Session   <title>' and 'Continue  opencode -s <id>'" exited - -
  kill_win $w
}

# ------------------------------------------------------------------ Qwen Code
# done_q WIN: the turn has ended (its spinner row no longer says esc to cancel)
done_q() { waitnot "$1" 'esc to cancel' 60; sleep 1.5; }

qwen_env() {  # qwen_env HOME : env -i prefix with the fake OpenAI endpoint
  echo "$(aienv "$1") OPENAI_BASE_URL=$FAKEURL/v1 OPENAI_API_KEY=sk-fake OPENAI_MODEL=gpt-fake"
}

group_qwen() {
  start_group qwen
  local G=qwen w H
  proj_reset
  # npm leaves the bundled ripgrep without its x bit (Qwen then warns at
  # every start and falls back to its own grep).
  chmod +x "$PFX/node_modules/@qwen-code/qwen-code/vendor/ripgrep/"*/rg 2>/dev/null
  H=$PFX/homes/qwen-v; mkdir -p "$H"
  env -i HOME="$H" PATH="$BASEPATH" "$BIN/qwen" --version > "$OUT/qwen/VERSION" 2>&1
  echo "npm package @qwen-code/qwen-code $(node -p "require('$PFX/node_modules/@qwen-code/qwen-code/package.json').version")" >> "$OUT/qwen/VERSION"

  # 1. first run with no key: its auth dialog
  H=$PFX/homes/qwen-first; rm -rf "$H"; mkdir -p "$H"
  win q0 "$P" "$(aienv "$H") qwen"
  waitfor q0 'auth|Auth|API|key|Type your message' 60; sleep 2
  snap $G 01-first-run-no-key q0 "Qwen Code first run with no key in the environment: the 'Connect a Provider' dialog (› Alibaba ModelStudio / Third-party Providers / Custom Provider) over its start screen (login required)" error - -
  kill_win q0

  # 2. its default approval mode (auto: an LLM classifier decides)
  H=$PFX/homes/qwen-auto; rm -rf "$H"; mkdir -p "$H"
  win q1 "$P" "$(qwen_env "$H") qwen"
  waitfor q1 'Type your message' 60; sleep 3
  snap $G 02-idle-auto-mode q1 "Qwen Code idle in its default approval mode: '●︎ Auto mode enabled. An LLM classifier evaluates each tool call', footer 'Auto mode (shift + tab to cycle)'" idle - -
  kill_win q1

  # 3. main session: --approval-mode default (asks before shell commands and edits)
  H=$PFX/homes/qwen-main; rm -rf "$H"; mkdir -p "$H"
  w=qm
  win $w "$P" "$(qwen_env "$H") qwen --approval-mode default"
  waitfor $w 'Initializing' 30; sleep 0.5
  snap $G 03-starting-initializing $w "Qwen Code starting: header box and '⠸ Initializing...' (text typed now is lost)" starting - -
  waitfor $w 'Type your message' 60; sleep 3
  snap $G 04-idle $w "Qwen Code idle: header box, '>   Type your message or @path/to/file' between rules, footer '⏸ Ask permissions (shift + tab to cycle)'; title 'Qwen - proj'" idle - -
  typ $w "refactor the parser module"; sleep 0.5
  snap $G 05-idle-draft-typed $w "Qwen Code idle with an unsent draft 'refactor the parser module'" idle - -
  mode "slow:24"; key $w Enter
  waitfor $w 'am working through' 40; sleep 3
  snap $G 06-working-streaming-1 $w "Qwen Code working: the answer streams in, spinner line '⠼ <phrase>... (5s · esc to cancel)'; title '◐︎ Qwen - proj'" working - -
  sleep 6
  snap $G 07-working-streaming-2 $w "Qwen Code working, later in the same stream" working - -
  waitfor $w 'busy state for a while\.' 60; done_q $w; sleep 2
  snap $G 08-idle-after-response $w "Qwen Code idle after the answer; its input box shows a suggested next prompt ('run the tests') in place of the placeholder" idle - -

  mode hang; line $w "what does the build script do?"
  waitfor $w 'esc to cancel' 30; sleep 4
  snap $G 09-working-no-tokens-yet $w "Qwen Code working, nothing received yet: spinner line with 'esc to cancel'" working - -
  key $w Escape; sleep 2
  snap $G 10-cancelled-by-esc $w "Qwen Code after Esc: the request is withdrawn and its text put back into the input box" idle - -
  key $w C-u; sleep 0.5

  mode list; line $w "what should I do next?"; waitfor $w 'Let me know which one' 60; done_q $w; sleep 1
  snap $G 11-numbered-list-output-trap $w "Qwen Code idle after answering with a plain numbered list 1.-4. (NOT a prompt)" idle - -

  mode "bash:rm -rf build"; line $w "clean the build dir"
  waitfor $w 'Waiting for user confirmation' 40; sleep 1
  snap $G 12-shell-prompt-rm-rf $w "Qwen Code shell confirmation '? Shell rm -rf build (Run rm)' / 'Allow execution of: 'rm'?' › 1. Yes, allow once / 2. Always allow run 'rm *' commands in this project / 3. ... for this user / 4. No, suggest changes (esc); then the static line '⠏ Waiting for user confirmation...'; title '✳︎ Qwen - proj'" confirm Enter dangerous
  key $w Escape; sleep 2
  snap $G 13-after-reject $w "Qwen Code after Esc on the rm -rf prompt: '- Shell rm -rf build (Run rm)' left in the transcript, idle input box" idle - -

  mode "bash:echo hi > greeting.txt"; line $w "write a greeting file with the shell"
  waitfor $w 'Waiting for user confirmation|Done\.' 40; sleep 1
  snap $G 14-shell-prompt-echo-redirect $w "Qwen Code shell confirmation for 'echo hi > greeting.txt' (1. Yes, allow once / 2.-3. Always allow ... / 4. No, suggest changes)" confirm Enter safe
  key $w Enter; waitfor $w '✓ Shell echo' 60; done_q $w
  snap $G 15-after-shell-approved $w "Qwen Code idle after 'Yes, allow once': '✓ Shell echo hi > greeting.txt' and 'Done.'" idle - -

  mode "write:notes.txt"; line $w "create notes.txt"
  waitfor $w 'Waiting for user confirmation' 40; sleep 1
  snap $G 16-write-file-prompt $w "Qwen Code WriteFile confirmation for notes.txt with the new content, 'Apply this change?' and numbered options" confirm Enter safe
  key $w Enter; waitfor $w '✓ WriteFile' 60; done_q $w

  mode "edit:hello.txt|hello world|goodbye world"; line $w "change the greeting"
  waitfor $w 'Waiting for user confirmation' 40; sleep 1
  snap $G 17-edit-file-prompt $w "Qwen Code Edit confirmation: diff of hello.txt and 'Apply this change?' with numbered options" confirm Enter safe
  key $w Enter; waitfor $w '✓ Edit hello' 60; done_q $w
  snap $G 18-after-edit-approved $w "Qwen Code idle after 'Yes, allow once' on the edit: '✓ Edit hello.txt' with the diff and 'Done.'" idle - -

  done_q $w
  line $w "/model"; waitfor $w 'Select Model|Select model' 20; sleep 2
  snap $G 19-model-picker $w "Qwen Code /model dialog: 'Select Model', › 1. [openai] gpt-fake (Runtime), the model's details, 'Enter to select, ↑↓ to navigate, Esc to close'" input - -
  key $w Escape; waitnot $w 'Select Model' 10 || { key $w Escape; waitnot $w 'Select Model' 10; }
  sleep 1; key $w C-u; sleep 0.5

  # Shift+Tab cycles its approval modes; each shows in the footer.
  key $w BTab; sleep 1.5
  snap $G 20-idle-mode-after-shift-tab-1 $w "Qwen Code idle after one Shift+Tab from 'Ask permissions': footer 'auto-accept edits (shift + tab to cycle)'" idle - -
  key $w BTab; sleep 1.5
  snap $G 21-idle-mode-after-shift-tab-2 $w "Qwen Code idle after two Shift+Tabs: '●︎ Auto mode enabled. An LLM classifier ...', footer 'Auto mode (shift + tab to cycle)'" idle - -
  key $w BTab; sleep 1.5
  snap $G 22-idle-mode-after-shift-tab-3 $w "Qwen Code idle after three Shift+Tabs: the input box starts with '*', footer 'YOLO mode (shift + tab to cycle)'" idle - -
  for i in 1 2 3 4 5; do
    screen $w | grep -q 'Ask permissions' && break
    key $w BTab; sleep 1.5
  done


  mode "error:401"; line $w "summarize the README"
  waitfor $w 'API Error' 40; sleep 2
  snap $G 23-api-error-401 $w "Qwen Code after HTTP 401: '✕ [API Error: 401 Incorrect API key provided (fake)] (Press Ctrl+Y to retry)', idle input box" error - -
  mode "error:500"; line $w "summarize the README again"
  sleep 12
  snap $G 24-api-error-500-retrying $w "Qwen Code 12 s after the API started answering HTTP 500: still '<phrase>... (11s · esc to cancel)', no error shown (it retries with backoff)" working - -
  key $w Escape; sleep 2; key $w C-u; sleep 0.5

  mode "text:ok"
  typ $w "/quit"; sleep 1; key $w Enter
  dead $w 20
  snap $G 25-exited-after-quit $w "Qwen Code after /quit: 'To continue this session, run / qwen --resume <id>' and tmux 'Pane is dead (status 0, <date>)'" exited - -
  kill_win $w
}
