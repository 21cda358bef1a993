// Cairn's console: runs, a run's tree and transcript, and the inbox. No build step and no
// framework: the page renders what the console's JSON API returns, and every text that came
// from a model, a tool or a person goes into the page as text, never as markup.

const view = document.getElementById('view');
const session = { token: sessionStorage.getItem('cairn-console-token') ?? '', person: null, timer: undefined };
const pollMs = 2000;

/** `h('a', { href, class }, 'text', child)`: an element; strings become text nodes. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    // Through the CSSOM: the page's content security policy refuses style attributes.
    else if (name === 'width') element.style.width = value;
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) element.append(child instanceof Node ? child : String(child));
  return element;
}

async function api(path, body) {
  const headers = {};
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'x-cairn-console': '1' });
  const response = await fetch(path, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) {
    askForToken(data.error);
    throw new Error(data.error ?? 'A token is needed.');
  }
  if (!response.ok) throw new Error(data.hint ? `${data.error} ${data.hint}` : (data.error ?? response.statusText));
  return data;
}

function askForToken(message) {
  stopPolling();
  const input = h('input', { type: 'password', 'data-testid': 'token-input', placeholder: 'token', size: 40 });
  view.replaceChildren(
    h('h1', { text: 'Sign in' }),
    h('p', { class: 'muted', text: message ?? 'This console needs a token.' }),
    h('form', { onsubmit: (event) => { event.preventDefault(); session.token = input.value.trim(); sessionStorage.setItem('cairn-console-token', session.token); route(); } }, input, ' ', h('button', { type: 'submit', text: 'Use token' })),
  );
}

function stopPolling() {
  clearInterval(session.timer);
  session.timer = undefined;
}

function every(refresh) {
  stopPolling();
  const tick = () => refresh().catch((error) => showError(error));
  tick();
  session.timer = setInterval(tick, pollMs);
}

function showError(error) {
  let banner = document.getElementById('error');
  if (!banner) view.prepend((banner = h('p', { id: 'error', class: 'outcome error' })));
  banner.textContent = error.message;
}

function clearError() {
  document.getElementById('error')?.remove();
}

const formatTokens = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n));
const age = (at) => {
  const s = Math.max(0, Math.round((Date.now() - at) / 1000));
  return s < 90 ? `${s}s` : s < 5400 ? `${Math.round(s / 60)}m` : s < 129600 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86400)}d`;
};
const stateBadge = (state) => h('span', { class: `state ${state}`, 'data-testid': 'state', text: state.replace(/_/g, ' ') });
const runLink = (runId) => h('a', { href: `#/run/${encodeURIComponent(runId)}`, text: runId });

function budgetBar(budget) {
  if (!budget) return '';
  const share = Math.min(1, budget.used.tokens / budget.limits.tokens);
  return h('span', { title: `${formatTokens(budget.used.tokens)} of ${formatTokens(budget.limits.tokens)} tokens` }, h('span', { class: 'bar' }, h('span', { width: `${Math.round(share * 100)}%` })), `${Math.round(share * 100)}% of ${formatTokens(budget.limits.tokens)}`);
}

// ── Runs ───────────────────────────────────────────────────────────────────

function runsPage() {
  const filters = { agent: h('input', { type: 'text', placeholder: 'agent', 'data-testid': 'filter-agent' }), state: h('select', { 'data-testid': 'filter-state' }, ...['', 'running', 'calling_model', 'running_tools', 'waiting_for_human', 'completed', 'failed', 'cancelled', 'budget_exhausted', 'max_turns'].map((state) => h('option', { value: state, text: state === '' ? 'any state' : state.replace(/_/g, ' ') }))), within: h('select', { 'data-testid': 'filter-within' }, ...[['', 'any time'], ['1h', 'last hour'], ['24h', 'last day'], ['7d', 'last week']].map(([value, label]) => h('option', { value, text: label }))) };
  const body = h('tbody');
  view.replaceChildren(
    h('h1', { text: 'Runs' }),
    h('div', { class: 'filters' }, filters.agent, filters.state, filters.within),
    h('table', { 'data-testid': 'runs' }, h('thead', {}, h('tr', {}, ...['run', 'agent', 'state', 'turns', 'tokens', 'cost', 'age', ''].map((title) => h('th', { text: title })))), body),
  );
  const refresh = async () => {
    const query = new URLSearchParams(Object.entries({ agent: filters.agent.value.trim(), state: filters.state.value, within: filters.within.value }).filter(([, value]) => value));
    const runs = await api(`/api/runs?${query}`);
    clearError();
    body.replaceChildren(
      ...runs.map((run) =>
        h('tr', { 'data-run': run.runId },
          h('td', {}, runLink(run.runId)),
          h('td', { text: run.agent }),
          h('td', {}, stateBadge(run.state)),
          h('td', { class: 'num', text: run.turns }),
          h('td', { class: 'num', text: formatTokens(run.tokens) }),
          h('td', { class: 'num', text: run.costUsd ? `$${run.costUsd.toFixed(4)}` : '' }),
          h('td', { class: 'num', text: age(run.startedAt) }),
          h('td', {}, run.waiting ? h('span', { class: 'badge', text: `${run.waiting} waiting` }) : ''),
        ),
      ),
    );
    if (runs.length === 0) body.append(h('tr', {}, h('td', { colspan: 8, class: 'muted', text: 'No runs match.' })));
  };
  for (const input of Object.values(filters)) input.addEventListener('input', () => refresh().catch(showError));
  every(refresh);
}

// ── The inbox, and the forms that resolve what waits ──────────────────────

/** Cards by run and item id: a card being filled in is never re-rendered under the person's hands. */
function pendingList(container, filter) {
  const cards = new Map();
  return (items) => {
    const live = new Set();
    for (const item of items.filter(filter)) {
      const key = `${item.runId}/${item.id}`;
      live.add(key);
      if (!cards.has(key)) {
        const card = pendingCard(item);
        cards.set(key, card);
        container.append(card);
      }
    }
    for (const [key, card] of cards) {
      // A card someone acted on stays, with its outcome; the rest go when resolved elsewhere.
      if (!live.has(key) && !card.dataset.done) {
        card.remove();
        cards.delete(key);
      }
    }
    if (container.dataset.empty !== undefined) container.querySelector('.empty')?.toggleAttribute('hidden', cards.size > 0);
  };
}

function pendingCard(item) {
  const outcome = h('div', { class: 'outcome', 'data-testid': 'outcome' });
  const card = h('div', { class: 'card', 'data-testid': 'pending', 'data-kind': item.kind, 'data-run': item.runId, 'data-id': item.id });
  const act = async (path, body, done) => {
    for (const control of card.querySelectorAll('button, textarea, input')) control.disabled = true;
    try {
      const result = await api(`/api/runs/${encodeURIComponent(item.runId)}/${path}`, body);
      card.dataset.done = 'true';
      outcome.className = 'outcome ok';
      outcome.textContent = `${done} ✓${result.delivery === 'queued' ? ' (queued: no worker is running to check it yet)' : ''}`;
    } catch (error) {
      outcome.className = 'outcome error';
      outcome.textContent = error.message;
      for (const control of card.querySelectorAll('button, textarea, input')) control.disabled = false;
    }
  };
  const where = h('div', { class: 'muted' }, runLink(item.runId), item.agent ? ` · ${item.agent}` : '', item.parentRunId ? ' · sub-agent of ' : '', item.parentRunId ? runLink(item.parentRunId) : '', ` · ${age(item.askedAt)} ago`);
  if (item.kind === 'question') {
    const answer = h('textarea', { 'data-testid': 'answer-input', placeholder: 'Your answer' });
    card.append(
      where,
      h('p', {}, h('strong', { text: 'Question: ' }), item.question),
      item.choices ? h('div', { class: 'actions' }, ...item.choices.map((choice) => h('button', { type: 'button', class: 'secondary', text: choice, onclick: () => { answer.value = choice; } }))) : '',
      answer,
      h('div', { class: 'actions' }, h('button', { 'data-testid': 'answer', text: 'Answer', onclick: () => act('answer', { questionId: item.id, answer: answer.value }, 'Answered') })),
      outcome,
    );
  } else if (item.kind === 'approval') {
    const args = h('textarea', { 'data-testid': 'arguments-input' });
    args.value = JSON.stringify(item.arguments, null, 2);
    const reason = h('input', { type: 'text', 'data-testid': 'reason-input', placeholder: 'reason (told to the model)', size: 40 });
    const approve = () => {
      let edited;
      try {
        edited = JSON.parse(args.value);
      } catch (error) {
        outcome.className = 'outcome error';
        outcome.textContent = `The arguments are not valid JSON: ${error.message}`;
        return;
      }
      const changed = JSON.stringify(edited) !== JSON.stringify(item.arguments);
      return act('decide', { callId: item.id, approved: true, ...(changed ? { arguments: edited } : {}) }, changed ? 'Approved with edited arguments' : 'Approved');
    };
    card.append(
      where,
      h('p', {}, h('strong', { text: 'Approve a call to ' }), h('code', { text: item.tool }), ' with:'),
      args,
      h('div', { class: 'actions' }, h('button', { 'data-testid': 'approve', text: 'Approve', onclick: approve }), reason, h('button', { class: 'secondary', 'data-testid': 'deny', text: 'Deny', onclick: () => act('decide', { callId: item.id, approved: false, reason: reason.value }, 'Denied') })),
      outcome,
    );
  } else {
    card.append(where, h('p', {}, h('strong', { text: 'Waiting for the result of ' }), h('code', { text: item.tool }), ` ${JSON.stringify(item.arguments)}`), h('p', { class: 'muted', text: `An asynchronous call: completed from outside (cairn complete, a callback). Times out in ${age(2 * Date.now() - item.timeoutAt)}.` }));
  }
  return card;
}

function inboxPage() {
  const list = h('div', { 'data-testid': 'inbox', 'data-empty': '' }, h('p', { class: 'muted empty', text: 'Nothing is waiting for you.' }));
  view.replaceChildren(h('h1', { text: 'Inbox' }), list);
  const update = pendingList(list, () => true);
  every(async () => {
    update(await api('/api/inbox'));
    clearError();
  });
}

// ── A run ──────────────────────────────────────────────────────────────────

function treeNode(node) {
  const tokens = node.usage.inputTokens + node.usage.outputTokens;
  return h('li', { 'data-testid': 'tree-node', 'data-run': node.runId },
    h('strong', { text: node.agent }), ' ', runLink(node.runId), ' ', stateBadge(node.state), h('span', { class: 'muted', text: ` · turn ${node.turn} · ${formatTokens(tokens)} tokens ` }), budgetBar(node.budget),
    node.childStatuses?.length ? h('ul', {}, ...node.childStatuses.map(treeNode)) : '',
  );
}

function callView(call) {
  const decided = call.approval
    ? h('div', { class: 'muted', 'data-testid': 'approval' }, `approval: ${call.approval.state}${call.approval.by === 'person' ? ` by ${call.approval.person ?? 'a person'}` : call.approval.by === 'timeout' ? ' on timeout' : ''}${call.approval.reason ? ` — ${call.approval.reason}` : ''}${call.approval.editedArguments !== undefined ? `, with arguments ${JSON.stringify(call.approval.editedArguments)}` : ''}`)
    : '';
  const answered = call.kind === 'question' && call.answeredBy ? h('div', { class: 'muted', text: call.answeredBy === 'person' ? `answered by ${call.answeredByName ?? 'a person'}` : 'the default answer' }) : '';
  return h('div', { class: `call${call.isError ? ' error' : ''}`, 'data-testid': 'tool-call', 'data-call': call.id },
    h('div', {}, h('code', { text: call.name }), h('span', { class: 'muted', text: ` ${call.id}` }), call.child ? h('span', {}, ' → ', runLink(call.child.runId)) : ''),
    h('pre', { text: call.arguments }), decided, answered,
    call.result !== undefined ? h('pre', { 'data-testid': 'result', text: call.result }) : h('div', { class: 'muted', text: 'no result yet' }),
  );
}

function transcript(record) {
  if (!record || record.unavailable) return h('p', { class: 'muted', text: record?.unavailable ?? 'No record yet.' });
  return h('div', { 'data-testid': 'transcript' },
    h('div', { class: 'card' }, h('h3', { class: 'muted', text: 'Input' }), h('div', { class: 'text', text: record.input })),
    ...record.turns.map((turn) =>
      h('div', { class: 'card turn', 'data-testid': 'turn', 'data-turn': turn.turn },
        h('h3', { text: `Turn ${turn.turn} · ${formatTokens(turn.usage.inputTokens)} in / ${formatTokens(turn.usage.outputTokens)} out${turn.costUsd ? ` · $${turn.costUsd.toFixed(4)}` : ''}` }),
        turn.text ? h('div', { class: 'text', 'data-testid': 'turn-text', text: turn.text }) : '',
        ...turn.toolCalls.map(callView),
      ),
    ),
    record.output !== undefined && record.state !== 'running' ? h('div', { class: 'card' }, h('h3', { class: 'muted', text: 'Answer' }), h('div', { class: 'text', 'data-testid': 'output', text: record.output })) : '',
  );
}

/** A report's citations `[n]` linked to its sources list (`[n] source` lines). */
function reportView(report) {
  const container = h('div', { class: 'report', 'data-testid': 'report' });
  const sources = new Set([...report.matchAll(/^\[(\d+)\]\s/gm)].map((match) => match[1]));
  for (const line of report.split('\n')) {
    const source = /^\[(\d+)\]\s+(.*)$/.exec(line);
    if (source) {
      const target = /https?:\/\/\S+/.exec(source[2]);
      const label = target ? [source[2].slice(0, target.index), h('a', { href: target[0], rel: 'noreferrer noopener', target: '_blank', text: target[0] }), source[2].slice(target.index + target[0].length)] : [source[2]];
      container.append(h('p', { id: `source-${source[1]}`, 'data-testid': 'source' }, `[${source[1]}] `, ...label));
      continue;
    }
    const paragraph = h(line.startsWith('#') ? 'h3' : 'p');
    let rest = line.replace(/^#+\s*/, '');
    for (let match = /\[(\d+)\]/.exec(rest); match; match = /\[(\d+)\]/.exec(rest)) {
      paragraph.append(rest.slice(0, match.index));
      paragraph.append(sources.has(match[1]) ? h('sup', {}, h('a', { href: `#source-${match[1]}`, 'data-testid': 'citation', onclick: (event) => { event.preventDefault(); document.getElementById(`source-${match[1]}`)?.scrollIntoView(); }, text: `[${match[1]}]` })) : match[0]);
      rest = rest.slice(match.index + match[0].length);
    }
    paragraph.append(rest);
    if (line.trim()) container.append(paragraph);
  }
  return container;
}

function runPage(runId) {
  const head = h('div');
  const pending = h('div', { 'data-testid': 'run-pending' });
  const body = h('div');
  const tokens = h('input', { type: 'number', min: 1, step: 1000, placeholder: 'tokens', 'data-testid': 'topup-tokens' });
  const topUpOutcome = h('span', { class: 'outcome' });
  const topUp = h('div', { class: 'card actions', 'data-testid': 'topup' }, 'Top up the budget:', tokens, h('button', { 'data-testid': 'topup-button', text: 'Add tokens', onclick: async () => {
    try {
      await api(`/api/runs/${encodeURIComponent(runId)}/budget`, { tokens: Number(tokens.value) });
      topUpOutcome.className = 'outcome ok';
      topUpOutcome.textContent = `Added ${formatTokens(Number(tokens.value))} tokens ✓`;
    } catch (error) {
      topUpOutcome.className = 'outcome error';
      topUpOutcome.textContent = error.message;
    }
  } }), topUpOutcome);
  view.replaceChildren(head, pending, body);
  const inTree = (item) => item.runId === runId || item.runId.startsWith(`${runId}.`);
  const update = pendingList(pending, inTree);
  every(async () => {
    const [run, inbox] = await Promise.all([api(`/api/runs/${encodeURIComponent(runId)}`), api('/api/inbox')]);
    clearError();
    const { tree, record, research, webUrl, traceUrl, streamed } = run;
    head.replaceChildren(
      h('h1', {}, `${tree.agent} `, h('span', { class: 'muted', text: runId }), ' ', stateBadge(tree.state)),
      h('div', { class: 'actions' }, webUrl ? h('a', { href: webUrl, target: '_blank', rel: 'noopener', text: 'Temporal Web UI' }) : '', traceUrl ? h('a', { href: traceUrl, target: '_blank', rel: 'noopener', text: 'Trace' }) : ''),
      h('h2', { text: 'Run tree' }), h('div', { class: 'tree' }, h('ul', { 'data-testid': 'tree' }, treeNode(tree))),
      tree.output === undefined && !['completed', 'failed', 'cancelled'].includes(tree.state) ? topUp : '',
    );
    update(inbox);
    body.replaceChildren(
      research ? h('div', { class: 'card', 'data-testid': 'research' }, h('div', {}, h('strong', { text: 'Research: ' }), research.question), h('div', { class: 'muted', text: `phase ${research.phase} · ${research.sources.length} sources${research.citations ? ` · citations verified ${research.citations.verified} of ${research.citations.total}` : ''}${research.partial ? ' · partial' : ''}` }), research.report ? reportView(research.report) : '') : '',
      streamed && tree.state === 'calling_model' ? h('div', { class: 'card', 'data-testid': 'streamed' }, h('h3', { class: 'muted', text: 'Writing…' }), h('div', { class: 'text', text: streamed })) : '',
      h('h2', { text: 'Transcript' }),
      transcript(record),
    );
  });
}

// ── Routing ────────────────────────────────────────────────────────────────

async function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  for (const link of document.querySelectorAll('[data-nav]')) link.classList.toggle('active', link.dataset.nav === (hash.startsWith('/inbox') ? 'inbox' : hash === '/' ? 'runs' : ''));
  try {
    const me = await api('/api/session');
    document.getElementById('who').textContent = me.person ? `signed in as ${me.person}` : '';
  } catch {
    return;
  }
  const run = /^\/run\/(.+)$/.exec(hash);
  if (run) return runPage(decodeURIComponent(run[1]));
  if (hash.startsWith('/inbox')) return inboxPage();
  return runsPage();
}

async function refreshInboxCount() {
  if (!session.token && document.getElementById('token-input')) return;
  const items = await api('/api/inbox').catch(() => undefined);
  const badge = document.getElementById('inbox-count');
  if (!items) return;
  badge.hidden = items.length === 0;
  badge.textContent = String(items.length);
}

window.addEventListener('hashchange', route);
setInterval(refreshInboxCount, 5000);
route().then(refreshInboxCount);
