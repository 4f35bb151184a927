group_claude() { :; }
group_codex() { :; }
group_gemini() { :; }
