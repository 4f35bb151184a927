#!/usr/bin/env node
// Fake streaming model server for capturing real CLI screens offline.
// Speaks just enough of three APIs:
//   Anthropic  POST /v1/messages[?beta=true]           (SSE when stream:true)
//   OpenAI     POST /v1/responses                      (SSE, Responses API)
//   OpenAI     POST /v1/chat/completions               (SSE when stream:true,
//              streamed tool calls; opencode, Qwen Code)
//   Gemini     POST /v1beta/models/M:streamGenerateContent?alt=sse, :generateContent, :countTokens
//
// Behaviour for the next *main* request is read from the file named by
// FAKE_SCRIPT (first non-empty line) on every request, else from FAKE_MODE.
// Modes:
//   text:<msg>            short text reply
//   slow[:<secs>]         long text streamed slowly over <secs> (default 20)
//   hang                  send headers/first event, then never finish
//   list                  a numbered list in plain text (not a prompt)
//   bash:<cmd>            tool call running a shell command (\\n: a line break)
//   bashx:<cmd>           same, but (Codex) asking for sandbox escalation with a justification
//   write:<path>          tool call writing a new file
//   edit:<path>|<old>|<new>  tool call editing a file
//   error:<status>        HTTP error with a JSON error body
// A request whose latest user turn carries a tool result gets "Done." instead.
// Auxiliary requests (no tools / not streaming: titles, quota probes, token
// counts, next-speaker checks) get a short neutral reply and do not consume
// anything.  Every request is appended to FAKE_LOG (if set) as one JSON line.
'use strict';
const http = require('http');
const fs = require('fs');

const PORT = +(process.env.FAKE_PORT || 8787);
const LOG = process.env.FAKE_LOG || '';

function log(obj) {
  if (!LOG) return;
  try { fs.appendFileSync(LOG, JSON.stringify(obj) + '\n'); } catch (e) {}
}

function mode() {
  const f = process.env.FAKE_SCRIPT;
  if (f) {
    try {
      const l = fs.readFileSync(f, 'utf8').split('\n').map(s => s.trim()).filter(Boolean);
      if (l.length) return l[0];
    } catch (e) {}
  }
  return process.env.FAKE_MODE || 'text:Hello from the fake model.';
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

const LONG = ('I am working through the request step by step. First I look at the ' +
  'structure of the project, then at the files that matter, and then I think ' +
  'about the smallest change that solves the problem without breaking anything ' +
  'else. This reply is intentionally long and streamed slowly so that the ' +
  'terminal shows the busy state for a while. ').repeat(3);

const LIST = 'Here are the steps I suggest:\n\n1. Read the configuration file\n' +
  '2. Update the dependency versions\n3. Run the test suite\n4. Commit the change\n\n' +
  'Let me know which one you want to start with.';

function plan(m) {
  // returns {kind, ...}
  const i = m.indexOf(':');
  const k = i < 0 ? m : m.slice(0, i);
  const arg = i < 0 ? '' : m.slice(i + 1);
  switch (k) {
    case 'text': return { kind: 'text', text: arg || 'Hello from the fake model.', secs: 0 };
    case 'slow': return { kind: 'text', text: LONG, secs: +(arg || 20) };
    case 'hang': return { kind: 'hang' };
    case 'list': return { kind: 'text', text: LIST, secs: 0 };
    case 'bash': return { kind: 'tool', tool: 'bash', cmd: (arg || 'ls').replace(/\\n/g, '\n') };
    case 'bashx': return { kind: 'tool', tool: 'bash', cmd: arg || 'ls', escalate: true };
    case 'write': return { kind: 'tool', tool: 'write', path: arg || 'notes.txt',
      content: 'hello from the fake model\nsecond line\n' };
    case 'edit': { const [p, o, n] = arg.split('|');
      return { kind: 'tool', tool: 'edit', path: p || 'hello.txt', old: o || 'hello', neu: n || 'goodbye' }; }
    case 'error': return { kind: 'error', status: +(arg || 500) };
    default: return { kind: 'text', text: m, secs: 0 };
  }
}

function chunks(text, n) {
  const words = text.split(/(?<= )/);
  const out = [];
  const per = Math.max(1, Math.ceil(words.length / n));
  for (let i = 0; i < words.length; i += per) out.push(words.slice(i, i + per).join(''));
  return out;
}

function sse(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache',
    connection: 'keep-alive' });
}

function abs(p) { return p.startsWith('/') ? p : (process.env.FAKE_CWD || process.cwd()) + '/' + p; }

// ---------------- Anthropic ----------------
async function anthropic(req, res, body) {
  const stream = !!body.stream;
  const tools = body.tools || [];
  const msgs = body.messages || [];
  const last = msgs[msgs.length - 1] || {};
  const hasToolResult = Array.isArray(last.content) && last.content.some(c => c.type === 'tool_result');
  const aux = !stream || tools.length === 0;
  // Claude Code refuses to Edit a file it has not Read in this session, so an
  // edit is played as Read first, then (after the Read result) the Edit.
  const prev = msgs[msgs.length - 2] || {};
  const prevTool = Array.isArray(prev.content) ? (prev.content.find(c => c.type === 'tool_use') || {}).name : undefined;
  let p;
  if (aux) p = { kind: 'text', text: 'Fake session', secs: 0 };
  else if (hasToolResult) {
    const m = plan(mode());
    p = (m.kind === 'tool' && m.tool === 'edit' && prevTool === 'Read') ? m : { kind: 'text', text: 'Done.', secs: 0 };
  } else {
    p = plan(mode());
    if (p.kind === 'tool' && p.tool === 'edit') p = { kind: 'tool', tool: 'read', path: p.path };
  }
  log({ api: 'anthropic', url: req.url, model: body.model, stream, ntools: tools.length,
    toolnames: tools.map(t => t.name), aux, hasToolResult, plan: p });
  if (p.kind === 'error') {
    res.writeHead(p.status, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ type: 'error', error: {
      type: p.status === 401 ? 'authentication_error' : p.status === 429 ? 'rate_limit_error' :
        p.status === 529 ? 'overloaded_error' : 'api_error',
      message: p.status === 401 ? 'invalid x-api-key' : 'Internal server error (fake)' } }));
  }
  const id = 'msg_fake' + Date.now();
  const model = body.model || 'claude-fake';
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model,
      content: [{ type: 'text', text: p.text || 'ok' }], stop_reason: 'end_turn',
      stop_sequence: null, usage: { input_tokens: 10, output_tokens: 3 } }));
  }
  sse(res);
  const ev = (t, d) => res.write(`event: ${t}\ndata: ${JSON.stringify(Object.assign({ type: t }, d))}\n\n`);
  ev('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [],
    stop_reason: null, stop_sequence: null, usage: { input_tokens: 120, output_tokens: 1 } } });
  if (p.kind === 'hang') { ev('ping', {}); return; }
  if (p.kind === 'text') {
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    const cs = p.secs ? chunks(p.text, Math.max(10, p.secs * 4)) : [p.text];
    for (const c of cs) {
      if (res.destroyed) return;
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: c } });
      if (p.secs) await sleep(p.secs * 1000 / cs.length);
    }
    ev('content_block_stop', { index: 0 });
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 200 } });
    ev('message_stop', {});
    return res.end();
  }
  // tool call
  let name, input;
  if (p.tool === 'bash') { name = 'Bash'; input = { command: p.cmd, description: 'Run ' + p.cmd.split(' ')[0] }; }
  else if (p.tool === 'write') { name = 'Write'; input = { file_path: abs(p.path), content: p.content }; }
  else if (p.tool === 'read') { name = 'Read'; input = { file_path: abs(p.path) }; }
  else { name = 'Edit'; input = { file_path: abs(p.path), old_string: p.old, new_string: p.neu }; }
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: "I'll do that now." } });
  ev('content_block_stop', { index: 0 });
  ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_fake' + Date.now(), name, input: {} } });
  ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) } });
  ev('content_block_stop', { index: 1 });
  ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 40 } });
  ev('message_stop', {});
  res.end();
}

// ---------------- OpenAI Responses ----------------
async function openai(req, res, body) {
  const input = Array.isArray(body.input) ? body.input : [];
  const last = input[input.length - 1] || {};
  const hasToolResult = /_output$/.test(last.type || '');
  const tools = body.tools || [];
  const toolnames = tools.map(t => t.name || t.type);
  const aux = tools.length === 0;
  let p;
  if (aux) p = { kind: 'text', text: 'Fake session', secs: 0 };
  else if (hasToolResult) p = { kind: 'text', text: 'Done.', secs: 0 };
  else p = plan(mode());
  log({ api: 'openai', url: req.url, model: body.model, stream: body.stream, toolnames, aux, hasToolResult,
    lastType: last.type, plan: p });
  if (p.kind === 'error') {
    res.writeHead(p.status, { 'content-type': 'application/json' });
    // 400: a request the API refuses (Codex prints the raw JSON body).
    return res.end(JSON.stringify({ error: { message: p.status === 401 ? 'Incorrect API key provided (fake)' :
      p.status === 400 ? "Invalid value for 'input': the request was rejected (fake)" :
      'The server had an error while processing your request (fake)', type: p.status === 401 ||
      p.status === 400 ? 'invalid_request_error' : 'server_error', param: p.status === 400 ? 'input' : null,
      code: p.status === 401 ? 'invalid_api_key' : null } }));
  }
  sse(res);
  const rid = 'resp_fake' + Date.now();
  let seq = 0;
  const ev = (t, d) => res.write(`event: ${t}\ndata: ${JSON.stringify(Object.assign({ type: t, sequence_number: seq++ }, d))}\n\n`);
  const resp = (status, output) => ({ id: rid, object: 'response', created_at: Math.floor(Date.now() / 1000),
    status, model: body.model || 'gpt-fake', output: output || [],
    usage: status === 'completed' ? { input_tokens: 120, input_tokens_details: { cached_tokens: 0 },
      output_tokens: 50, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 170 } : null });
  ev('response.created', { response: resp('in_progress') });
  ev('response.in_progress', { response: resp('in_progress') });
  if (p.kind === 'hang') return;
  const outputs = [];
  if (p.kind === 'text') {
    const mid = 'msg_fake' + Date.now();
    const item = { id: mid, type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    ev('response.output_item.added', { output_index: 0, item });
    ev('response.content_part.added', { item_id: mid, output_index: 0, content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] } });
    const cs = p.secs ? chunks(p.text, Math.max(10, p.secs * 4)) : [p.text];
    for (const c of cs) {
      if (res.destroyed) return;
      ev('response.output_text.delta', { item_id: mid, output_index: 0, content_index: 0, delta: c });
      if (p.secs) await sleep(p.secs * 1000 / cs.length);
    }
    ev('response.output_text.done', { item_id: mid, output_index: 0, content_index: 0, text: p.text });
    const part = { type: 'output_text', text: p.text, annotations: [] };
    ev('response.content_part.done', { item_id: mid, output_index: 0, content_index: 0, part });
    const done = { id: mid, type: 'message', status: 'completed', role: 'assistant', content: [part] };
    ev('response.output_item.done', { output_index: 0, item: done });
    outputs.push(done);
  } else {
    // Decide which tool to use from what the client offers.
    const cid = 'call_fake' + Date.now();
    let item;
    if (p.tool === 'bash') {
      if (toolnames.includes('exec_command')) {
        const a = { cmd: p.cmd };
        if (p.escalate) { a.sandbox_permissions = 'require_escalated';
          a.justification = 'Needs network access to fetch the dependency list'; }
        item = { type: 'function_call', id: 'fc_' + cid, call_id: cid, name: 'exec_command',
          arguments: JSON.stringify(a) };
      } else if (toolnames.includes('shell_command')) {
        item = { type: 'function_call', id: 'fc_' + cid, call_id: cid, name: 'shell_command',
          arguments: JSON.stringify({ command: p.cmd }) };
      } else {
        item = { type: 'function_call', id: 'fc_' + cid, call_id: cid, name: 'shell',
          arguments: JSON.stringify({ command: ['bash', '-lc', p.cmd] }) };
      }
    } else {
      const patch = p.tool === 'write'
        ? `*** Begin Patch\n*** Add File: ${p.path}\n` + p.content.split('\n').filter(Boolean).map(l => '+' + l).join('\n') + '\n*** End Patch\n'
        : `*** Begin Patch\n*** Update File: ${p.path}\n@@\n-${p.old}\n+${p.neu}\n*** End Patch\n`;
      const t = tools.find(t => t.name === 'apply_patch');
      if (t && t.type === 'custom') item = { type: 'custom_tool_call', id: 'ctc_' + cid, call_id: cid, name: 'apply_patch', input: patch };
      else if (t) item = { type: 'function_call', id: 'fc_' + cid, call_id: cid, name: 'apply_patch', arguments: JSON.stringify({ input: patch }) };
      else item = { type: 'function_call', id: 'fc_' + cid, call_id: cid, name: 'exec_command',
        arguments: JSON.stringify({ cmd: "apply_patch <<'EOF'\n" + patch + "EOF\n" }) };
    }
    ev('response.output_item.added', { output_index: 0, item: Object.assign({}, item, { status: 'in_progress' }) });
    const done = Object.assign({}, item, { status: 'completed' });
    ev('response.output_item.done', { output_index: 0, item: done });
    outputs.push(done);
  }
  ev('response.completed', { response: resp('completed', outputs) });
  res.end();
}

// ---------------- OpenAI Chat Completions ----------------
// The tool the client offers for each kind of call, and its arguments:
// opencode names them bash/write/edit (camelCase fields), Qwen Code
// run_shell_command/write_file/edit (snake_case fields).
function chatTool(p, names) {
  const pick = (...c) => c.find(n => names.includes(n));
  let name, args;
  if (p.tool === 'bash') {
    name = pick('bash', 'run_shell_command', 'shell') || 'bash';
    args = name === 'bash' ? { command: p.cmd, description: 'Run ' + p.cmd.split(' ')[0] }
      : { command: p.cmd, description: 'Run ' + p.cmd.split(' ')[0], is_background: false };
  } else if (p.tool === 'write') {
    name = pick('write', 'write_file') || 'write';
    args = name === 'write' ? { filePath: abs(p.path), content: p.content }
      : { file_path: abs(p.path), content: p.content };
  } else if (p.tool === 'read') {
    name = pick('read', 'read_file') || 'read';
    args = name === 'read' ? { filePath: abs(p.path) } : { file_path: abs(p.path) };
  } else {
    name = pick('edit', 'replace') || 'edit';
    args = name === 'edit' && names.includes('write') ? { filePath: abs(p.path), oldString: p.old, newString: p.neu }
      : { file_path: abs(p.path), old_string: p.old, new_string: p.neu };
  }
  return { name, args };
}

async function chat(req, res, body) {
  const stream = !!body.stream;
  const msgs = body.messages || [];
  const last = msgs[msgs.length - 1] || {};
  const tools = body.tools || [];
  const toolnames = tools.map(t => (t.function || {}).name || t.name);
  const hasToolResult = last.role === 'tool';
  const jsonMode = !!(body.response_format && body.response_format.type !== 'text');
  const lastText = typeof last.content === 'string' ? last.content :
    (Array.isArray(last.content) ? last.content.map(c => c.text || '').join('') : '');
  // Qwen Code's side requests carry the tools too: a suggestion for the
  // next input (shown in the input box), a memory extraction.
  const suggest = /^\[SUGGESTION MODE/.test(lastText);
  const aux = tools.length === 0 || jsonMode || suggest || /^Managed memory/.test(lastText);
  // An edit is played as a read first (Qwen Code refuses to edit a file it
  // has not read), then, after the read's result, the edit.
  let prevTool;
  for (let i = msgs.length - 1; i >= 0 && !prevTool; i--) {
    const tc = msgs[i].tool_calls;
    if (msgs[i].role === 'assistant' && tc && tc.length) prevTool = (tc[0].function || {}).name;
    if (msgs[i].role === 'user') break;
  }
  let p;
  if (aux) p = { kind: 'text', text: jsonMode ? '{"reasoning":"fake","next_speaker":"user"}' :
    suggest ? 'run the tests' : 'Fake session', secs: 0 };
  else if (hasToolResult) {
    const m = plan(mode());
    p = (m.kind === 'tool' && m.tool === 'edit' && /^read/.test(prevTool || '')) ? m : { kind: 'text', text: 'Done.', secs: 0 };
  } else {
    p = plan(mode());
    if (p.kind === 'tool' && p.tool === 'edit') p = { kind: 'tool', tool: 'read', path: p.path };
  }
  log({ api: 'chat', url: req.url, model: body.model, stream, toolnames, aux, jsonMode, hasToolResult,
    lastRole: last.role, nmsgs: msgs.length,
    lastText: lastText.slice(0, 120),
    plan: p });
  if (p.kind === 'error') {
    res.writeHead(p.status, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ error: { message: p.status === 401 ? 'Incorrect API key provided (fake)' :
      'The server had an error while processing your request (fake)', type: p.status === 401 ?
      'invalid_request_error' : 'server_error', code: p.status === 401 ? 'invalid_api_key' : null } }));
  }
  const id = 'chatcmpl-fake' + Date.now();
  const model = body.model || 'gpt-fake';
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 };
  let call;
  if (p.kind === 'tool') call = chatTool(p, toolnames);
  if (!stream) {
    const message = { role: 'assistant', content: p.kind === 'tool' ? "I'll do that now." : (p.text || 'ok') };
    if (call) message.tool_calls = [{ id: 'call_fake' + Date.now(), type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.args) } }];
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ id, object: 'chat.completion', created, model,
      choices: [{ index: 0, message, finish_reason: call ? 'tool_calls' : 'stop' }], usage }));
  }
  sse(res);
  const ev = (delta, fin, extra) => res.write('data: ' + JSON.stringify(Object.assign({ id,
    object: 'chat.completion.chunk', created, model,
    choices: [{ index: 0, delta, finish_reason: fin || null }] }, extra || {})) + '\n\n');
  ev({ role: 'assistant', content: '' });
  if (p.kind === 'hang') return;
  if (p.kind === 'text') {
    const cs = p.secs ? chunks(p.text, Math.max(10, p.secs * 4)) : [p.text];
    for (const c of cs) {
      if (res.destroyed) return;
      ev({ content: c });
      if (p.secs) await sleep(p.secs * 1000 / cs.length);
    }
    ev({}, 'stop', { usage });
    res.write('data: [DONE]\n\n');
    return res.end();
  }
  // A streamed tool call: its name first, then the arguments in pieces.
  const a = JSON.stringify(call.args);
  const half = Math.floor(a.length / 2);
  ev({ content: "I'll do that now." });
  ev({ tool_calls: [{ index: 0, id: 'call_fake' + Date.now(), type: 'function',
    function: { name: call.name, arguments: '' } }] });
  ev({ tool_calls: [{ index: 0, function: { arguments: a.slice(0, half) } }] });
  ev({ tool_calls: [{ index: 0, function: { arguments: a.slice(half) } }] });
  ev({}, 'tool_calls', { usage });
  res.write('data: [DONE]\n\n');
  res.end();
}

// ---------------- Gemini ----------------
async function gemini(req, res, body) {
  const url = req.url;
  if (/:countTokens/.test(url)) {
    res.writeHead(200, { 'content-type': 'application/json' });
    log({ api: 'gemini', url, aux: true });
    return res.end(JSON.stringify({ totalTokens: 42 }));
  }
  const stream = /streamGenerateContent/i.test(url);
  const contents = body.contents || [];
  const last = contents[contents.length - 1] || {};
  const hasToolResult = (last.parts || []).some(p => p.functionResponse);
  const tools = (body.tools || []).flatMap(t => (t.functionDeclarations || []).map(f => f.name));
  const jsonMode = body.generationConfig && body.generationConfig.responseMimeType === 'application/json';
  const aux = !stream || tools.length === 0 || jsonMode;
  let p;
  if (aux) p = { kind: 'text', text: jsonMode ? '{"reasoning":"fake","next_speaker":"user"}' : 'Fake session', secs: 0 };
  else if (hasToolResult) p = { kind: 'text', text: 'Done.', secs: 0 };
  else p = plan(mode());
  log({ api: 'gemini', url, stream, ntools: tools.length, aux, jsonMode, hasToolResult, plan: p });
  if (p.kind === 'error') {
    res.writeHead(p.status, { 'content-type': 'application/json' });
    const st = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 429: 'RESOURCE_EXHAUSTED' }[p.status] || 'INTERNAL';
    return res.end(JSON.stringify({ error: { code: p.status, message: p.status === 400 ?
      'API key not valid. Please pass a valid API key. (fake)' : 'Internal error encountered. (fake)', status: st } }));
  }
  const usage = { promptTokenCount: 120, candidatesTokenCount: 40, totalTokenCount: 160 };
  const cand = (parts, fin) => ({ candidates: [Object.assign({ content: { role: 'model', parts }, index: 0 },
    fin ? { finishReason: 'STOP' } : {})], usageMetadata: usage, modelVersion: 'gemini-fake' });
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(cand([{ text: p.text || 'ok' }], true)));
  }
  sse(res);
  const ev = d => res.write(`data: ${JSON.stringify(d)}\r\n\r\n`);
  if (p.kind === 'hang') return;
  if (p.kind === 'text') {
    const cs = p.secs ? chunks(p.text, Math.max(10, p.secs * 4)) : [p.text];
    for (let i = 0; i < cs.length; i++) {
      if (res.destroyed) return;
      ev(cand([{ text: cs[i] }], i === cs.length - 1));
      if (p.secs) await sleep(p.secs * 1000 / cs.length);
    }
    return res.end();
  }
  let fc;
  if (p.tool === 'bash') fc = { name: 'run_shell_command', args: { command: p.cmd, description: 'Run ' + p.cmd.split(' ')[0] } };
  else if (p.tool === 'write') fc = { name: 'write_file', args: { file_path: abs(p.path), content: p.content } };
  else fc = { name: 'replace', args: { file_path: abs(p.path), old_string: p.old, new_string: p.neu, instruction: 'Replace the greeting' } };
  ev(cand([{ text: "I'll do that now." }], false));
  ev(cand([{ functionCall: fc }], true));
  res.end();
}

const server = http.createServer((req, res) => {
  let data = '';
  req.on('data', d => { data += d; });
  req.on('end', () => {
    let body = {};
    try { body = data ? JSON.parse(data) : {}; } catch (e) { body = {}; }
    const u = req.url;
    const h = e => { log({ err: String(e && e.stack || e) }); try { res.end(); } catch (_) {} };
    if (req.method === 'POST' && /^\/v1\/messages/.test(u) && !/count_tokens/.test(u)) return anthropic(req, res, body).catch(h);
    if (req.method === 'POST' && /count_tokens/.test(u)) {
      log({ api: 'anthropic', url: u, aux: true });
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ input_tokens: 42 }));
    }
    if (req.method === 'POST' && /\/responses/.test(u)) return openai(req, res, body).catch(h);
    if (req.method === 'POST' && /\/chat\/completions/.test(u)) return chat(req, res, body).catch(h);
    if (/generatecontent|counttokens/i.test(u)) return gemini(req, res, body).catch(h);
    log({ api: 'other', method: req.method, url: u, body: data.slice(0, 500) });
    if (/\/models/.test(u)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ object: 'list', data: [], models: [] }));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'not found (fake)' } }));
  });
});
// FAKE_PORT=0: any free port.  The port is printed on stdout either way.
server.listen(PORT, '127.0.0.1', () => {
  const port = server.address().port;
  log({ listening: port });
  process.stdout.write('port ' + port + '\n');
});
process.on('SIGTERM', () => process.exit(0));
