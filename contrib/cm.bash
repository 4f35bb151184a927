# bash completion for cm: commands, their options, and the names of the live
# sessions (asked of the agent with "cm ls", on the -H host if one is given).
# Installed as $(PREFIX)/share/bash-completion/completions/cm.

# _cm_sessions [-H HOST]...: the session names, one a line.
_cm_sessions()
{
	cm "$@" ls 2>/dev/null | cut -f1
}

_cm()
{
	local cur prev cmd i
	local -a hosts=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmds="agent new send keys ls show kill watch wait ping status
	    confirm log rules detect bridge tunnel attach demo use config help"
	# The command word, after -H HOST and --via CMD.
	i=1
	cmd=
	while [ "$i" -lt "$COMP_CWORD" ]; do
		case ${COMP_WORDS[i]} in
		-H) hosts+=(-H "${COMP_WORDS[i+1]}"); i=$((i + 2)); continue ;;
		--via) i=$((i + 2)); continue ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
		i=$((i + 1))
	done
	if [ "$prev" = -H ]; then
		COMPREPLY=($(compgen -A hostname -- "$cur"))
		return
	fi
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$cmds -H --via --help --version" -- "$cur"))
		return
	fi
	case $cmd in
	agent) COMPREPLY=($(compgen -W "-f -v -S --strict" -- "$cur")) ;;
	new)
		case $prev in
		-C) COMPREPLY=($(compgen -d -- "$cur")) ;;
		--profile) COMPREPLY=($(compgen -W "claude codex gemini opencode qwen aider generic" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "-y -n -C --profile --task -- claude codex gemini opencode qwen aider" -- "$cur")) ;;
		esac ;;
	ls) COMPREPLY=($(compgen -W "--json --summary" -- "$cur")) ;;
	watch)
		case $prev in
		--on) COMPREPLY=($(compgen -W "confirm input error exited done" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "--json --on --exec --timeout --done-after $(_cm_sessions "${hosts[@]}")" -- "$cur")) ;;
		esac ;;
	wait)
		if [ "$prev" = wait ] || [ "$prev" = -t ]; then
			COMPREPLY=($(compgen -W "-t $(_cm_sessions "${hosts[@]}")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "starting working idle confirm input error exited unknown" -- "$cur"))
		fi ;;
	confirm)
		if [ "$prev" = confirm ]; then
			COMPREPLY=($(compgen -W "$(_cm_sessions "${hosts[@]}")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "on off --for" -- "$cur"))
		fi ;;
	send|keys|show|kill|log|attach)
		if [ "$prev" = "$cmd" ] || [ "$prev" = -e ] || [ "$prev" = -n ]; then
			COMPREPLY=($(compgen -W "$(_cm_sessions "${hosts[@]}")" -- "$cur"))
		fi ;;
	rules) COMPREPLY=($(compgen -W "--check" -- "$cur")) ;;
	tunnel) COMPREPLY=($(compgen -W "status close" -- "$cur")) ;;
	demo) COMPREPLY=($(compgen -W "--answer yes no" -- "$cur")) ;;
	use) COMPREPLY=($(compgen -W "local $(compgen -A hostname)" -- "$cur")) ;;
	config) COMPREPLY=($(compgen -W "--check" -- "$cur")) ;;
	status) COMPREPLY=($(compgen -W "--metrics" -- "$cur")) ;;
	detect) COMPREPLY=($(compgen -f -W "--json --dead --dir --host --profile --profile-file --title --quiet --cursor" -- "$cur")) ;;
	esac
}
complete -F _cm cm
