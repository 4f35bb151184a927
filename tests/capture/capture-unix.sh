# Sourced by capture.sh (inside the namespace): ordinary Unix prompts.
# shellcheck shell=bash

ushell() {  # ushell WIN : a clean bash with PS1='$ ' in $U
  win "$1" "$U" "env -i HOME=$U/home TERM=xterm-256color LANG=C.UTF-8 PATH=$BASEPATH PS1='\$ ' bash --norc --noprofile"
  waitfor "$1" '^\$$' 10
}

group_unix() {
  start_group unix
  local G=unix
  U=$WORK/unix
  rm -rf "$U"; mkdir -p "$U/home" "$U/olddir/sub"
  cd "$U" || return
  echo precious > victim.txt; echo aaa > a.txt; echo bbb > b.txt; touch olddir/sub/f
  seq -f 'line %g of a long file' 1 400 > long.txt
  {
    dpkg-query -W -f='${Package} ${Version}\n' coreutils apt openssh-client openssh-server git python3 \
      util-linux less bash tmux 2>/dev/null
    echo "python3 --version: $(/usr/bin/python3 --version 2>&1)"
    echo "tmux -V: $(tmux -V)"
    echo "node $(node --version), npm $(npm --version 2>/dev/null)"
  } > "$OUT/unix/VERSION"

  ushell sh
  snap $G 01-bash-idle-empty sh "bash --norc with PS1='\$ ', fresh, idle at the prompt" idle - -
  line sh 'ls'; waitfor sh 'victim.txt' 5; sleep 0.3
  snap $G 02-bash-idle-after-ls sh "bash idle at \$ prompt after running ls" idle - -
  line sh 'ls /nonexistent'; waitfor sh 'No such file' 5; sleep 0.3
  snap $G 03-bash-idle-after-failed-command sh "bash idle at \$ prompt right after a command printed 'ls: cannot access ... No such file or directory' (error text on screen, but the shell is idle)" idle - -
  line sh 'clear'; sleep 0.3

  line sh 'rm -i victim.txt'; waitfor sh "remove regular file 'victim.txt'\\?$"
  snap $G 04-rm-i-remove-file sh "rm -i asking \"rm: remove regular file 'victim.txt'?\"" confirm 'y Enter' dangerous
  line sh n; waitfor sh '^\$$' 5

  line sh 'rm -ri olddir'; waitfor sh "descend into directory 'olddir'\\?$"
  snap $G 05-rm-ri-descend-dir sh "rm -ri asking \"rm: descend into directory 'olddir'?\"" confirm 'y Enter' dangerous
  line sh n; waitfor sh '^\$$' 5

  line sh 'cp -i a.txt b.txt'; waitfor sh "overwrite 'b.txt'\\?$"
  snap $G 06-cp-i-overwrite sh "cp -i asking \"cp: overwrite 'b.txt'?\"" confirm 'y Enter' dangerous
  line sh n; waitfor sh '^\$$' 5

  line sh 'mv -i a.txt b.txt'; waitfor sh "mv: overwrite 'b.txt'\\?$"
  snap $G 07-mv-i-overwrite sh "mv -i asking \"mv: overwrite 'b.txt'?\"" confirm 'y Enter' dangerous
  line sh n; waitfor sh '^\$$' 5
  line sh 'clear'; sleep 0.3

  line sh 'apt-get install cowsay'; waitfor sh 'Do you want to continue\? \[Y/n\]$' 60
  snap $G 08-apt-get-install-continue sh "apt-get install cowsay: package list then 'Do you want to continue? [Y/n]' (Y is the default, so Enter alone approves)" confirm 'y Enter' dangerous
  line sh n; waitfor sh '^Abort\.' 10; sleep 0.3
  snap $G 09-apt-get-aborted sh "after answering n to apt-get: 'Abort.' then bash idle at \$ prompt" idle - -
  line sh 'clear'; sleep 0.3

  # --- ssh host key question against a throwaway sshd on 127.0.0.1
  mkdir -p "$U/sshd" /run/sshd
  ssh-keygen -q -t ed25519 -N '' -f "$U/sshd/hostkey" <<< y >/dev/null 2>&1
  cat > "$U/sshd/config" <<EOF
Port 2222
ListenAddress 127.0.0.1
HostKey $U/sshd/hostkey
PidFile $U/sshd/pid
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
EOF
  /usr/sbin/sshd -D -f "$U/sshd/config" -E "$U/sshd/log" &
  SSHD_PID=$!
  sleep 1
  line sh "ssh -o UserKnownHostsFile=$U/known_hosts -p 2222 127.0.0.1"
  waitfor sh 'continue connecting \(yes/no/\[fingerprint\]\)\?$' 15
  snap $G 10-ssh-host-key-question sh "ssh first connection: 'The authenticity of host ... can't be established ... Are you sure you want to continue connecting (yes/no/[fingerprint])?'" confirm 'yes Enter' dangerous
  line sh yes; waitfor sh "password:$" 15
  snap $G 11-ssh-password-prompt sh "ssh after accepting the host key: \"Warning: Permanently added ...\" then \"root@127.0.0.1's password:\" (secret text input)" input - -
  key sh C-c; waitfor sh '^\$$' 5
  kill "$SSHD_PID" 2>/dev/null; wait "$SSHD_PID" 2>/dev/null; SSHD_PID=
  line sh 'clear'; sleep 0.3

  # --- git add -p
  mkdir -p "$U/repo"
  ( cd "$U/repo" && git init -q && git config user.email t@example.invalid && git config user.name t &&
    printf 'alpha\nbeta\ngamma\n' > f.txt && git add f.txt && git commit -qm init && printf 'alpha\nBETA\ngamma\n' > f.txt )
  line sh 'cd repo && git add -p'; waitfor sh 'Stage this hunk \[y,n,q,a,d,e,\?\]\?$'
  snap $G 12-git-add-p-stage-hunk sh "git add -p showing a diff hunk and '(1/1) Stage this hunk [y,n,q,a,d,e,?]?'" confirm 'y Enter' safe
  line sh q; waitfor sh '^\$$' 5
  printf 'scratch\n' > "$U/repo/untracked.tmp"
  line sh 'git clean -i'; waitfor sh 'What now>$'
  snap $G 13-git-clean-i-menu sh "git clean -i: 'Would remove untracked.tmp' and the '*** Commands ***' menu ending in 'What now>' (c = clean)" confirm 'c Enter' dangerous
  line sh 5; waitfor sh '^\$$' 5   # 5: quit
  line sh 'cd .. && clear'; sleep 0.3

  # --- text / secret input
  line sh "python3 -c 'input(\"Name: \")'"; waitfor sh '^Name:$'
  snap $G 14-python-input-name sh "python3 input(\"Name: \") waiting for a line of text" input - -
  key sh C-c; waitfor sh '^\$$' 5
  line sh 'clear'; sleep 0.2
  line sh "python3 -c 'import getpass; getpass.getpass()'"; waitfor sh '^Password:$'
  snap $G 15-getpass-password sh "python3 getpass.getpass() showing 'Password:' (secret input)" input - -
  key sh C-c; waitfor sh '^\$$' 5
  line sh 'clear'; sleep 0.2
  ssh-keygen -q -t ed25519 -N '' -f "$U/home/id_test" >/dev/null 2>&1
  line sh 'ssh-keygen -t ed25519'; waitfor sh 'Enter file in which to save the key .*:$'
  snap $G 16-ssh-keygen-file-question sh "ssh-keygen asking 'Enter file in which to save the key (/.../id_ed25519):' (text input with a default)" input - -
  line sh "$U/home/id_test"; waitfor sh 'Overwrite \(y/n\)\?$'
  snap $G 17-ssh-keygen-overwrite sh "ssh-keygen: '... already exists. Overwrite (y/n)?'" confirm 'y Enter' dangerous
  line sh n; waitfor sh '^\$$' 5
  line sh 'clear'; sleep 0.2

  # --- pagers
  line sh 'more long.txt'; waitfor sh 'More--'
  snap $G 18-more-pager sh "more on a 400-line file: first page and '--More--(NN%)' on the last line" confirm Space safe
  key sh q; waitfor sh '^\$$' 5
  line sh 'less long.txt'; waitfor sh '^(:|long\.txt)' 5; sleep 0.3
  snap $G 19-less-pager sh "less on a 400-line file: first page, status line 'long.txt' at the bottom (pager waiting for a key)" confirm Space safe
  key sh q; waitfor sh '^\$$' 5
  line sh 'clear'; sleep 0.2

  # --- press enter / are you sure
  line sh 'read -p "Press Enter to continue..." x'; waitfor sh 'Press Enter to continue\.\.\.$'
  snap $G 20-read-press-enter sh "bash read -p 'Press Enter to continue...'" confirm Enter safe
  key sh Enter; waitfor sh '^\$$' 5
  line sh 'read -p "Are you sure you want to delete all backups? (yes/no) " a'; waitfor sh 'backups\? \(yes/no\)$'
  snap $G 21-are-you-sure-yes-no sh "bash read -p 'Are you sure you want to delete all backups? (yes/no)'" confirm 'yes Enter' dangerous
  line sh no; waitfor sh '^\$$' 5
  line sh 'read -p "Proceed with deployment? [y/N] " a'; waitfor sh 'deployment\? \[y/N\]$'
  snap $G 22-proceed-y-N sh "bash read -p 'Proceed with deployment? [y/N]' (default No)" confirm 'y Enter' dangerous
  line sh n; waitfor sh '^\$$' 5
  line sh 'clear'; sleep 0.2

  # --- python REPL idle
  line sh python3; waitfor sh '^>>>$'
  snap $G 23-python-repl-idle sh "python3 interactive REPL idle at '>>>' prompt" idle - -
  line sh 'exit()'; waitfor sh '^\$$' 5
  line sh 'clear'; sleep 0.2

  # --- busy
  line sh 'seq 1 100000000'; sleep 1.5
  snap $G 24-seq-busy-printing sh "seq 1 100000000 mid-stream: the screen is full of numbers, scrolling" working - -
  sleep 1
  snap $G 25-seq-busy-printing-later sh "seq 1 100000000 mid-stream, one second later" working - -
  key sh C-c; waitfor sh '^\$$' 5; sleep 0.3
  snap $G 26-idle-after-ctrl-c sh "bash idle at \$ prompt after ^C interrupted seq (numbers above, '^C' then '\$ ')" idle - -
  line sh 'clear'; sleep 0.2
  line sh 'sleep 300'; sleep 1
  snap $G 27-sleep-silent-busy sh "sleep 300 running: command line echoed, no output, no prompt (busy but silent)" working - -
  key sh C-c; waitfor sh '^\$$' 5
  line sh 'clear'; sleep 0.2
  line sh 'yes | head -n 3000000'; sleep 0.6
  snap $G 28-yes-busy-printing sh "yes | head -n 3000000 mid-stream: screen full of 'y'" working - -
  key sh C-c; waitfor sh '^\$$' 10
  line sh 'clear'; sleep 0.2

  # --- npm init (text questions with defaults), offline
  mkdir -p "$U/pkg"
  line sh 'cd pkg && npm init'; waitfor sh 'package name: \(pkg\)$' 30
  snap $G 29-npm-init-package-name sh "npm init asking 'package name: (pkg)' (text input with default)" input - -
  key sh C-c; waitfor sh '^\$$' 10
  line sh 'cd .. && clear'; sleep 0.2

  # --- exited panes (remain-on-exit on)
  line sh 'exit'; dead sh 5
  snap $G 30-shell-exited-pane-dead sh "bash after 'exit': tmux remain-on-exit shows 'Pane is dead (status 0, <date>)'" exited - -
  win ex1 "$U" "sh -c 'echo build finished; exit 0'"; dead ex1 5
  snap $G 31-program-exited-status-0 ex1 "sh printed 'build finished' and exited 0: 'Pane is dead (status 0, <date>)'" exited - -
  win ex2 "$U" "sh -c 'echo \"error: cannot open config.yaml\" >&2; exit 2'"; dead ex2 5
  snap $G 32-program-exited-status-2 ex2 "program printed an error and exited 2: 'Pane is dead (status 2, <date>)'" exited - -
  kill_win sh; kill_win ex1; kill_win ex2
  cd "$PFX" || true
}
