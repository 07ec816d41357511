// The browser participant: loads an identity file, joins the session named in the invitation
// through the relay, and contributes its vector to every round the coordinator opens until it
// leaves. Everything secret (the identity, the vector, the masks) stays in this page; what it
// sends is sealed to the coordinator. `window.participant` mirrors the state shown, for scripts
// and tests.
import { Client, Kernel, fromBase64url, parseIdentity } from './shardwire/shardwire.js';

const $ = (id) => document.getElementById(id);
const PHASES = { open: 1, sent: 2, recover: 3, done: 4, aborted: 4 };

/** State visible to scripts (the UI shows the same). */
const state = { phase: 'not joined', flavour: undefined, id: undefined, rounds: [], error: undefined, steps: [] };
window.participant = state;

let identity;
let vector;
let client;

function step(text) {
  const line = `${new Date().toLocaleTimeString()}  ${text}`;
  state.steps.push(line);
  const li = document.createElement('li');
  li.textContent = line;
  $('steps').append(li);
}

function setPhase(text, isError = false) {
  state.phase = text;
  $('phase').textContent = text;
  $('phase').className = isError ? 'error' : '';
}

function fail(e) {
  state.error = { code: e?.code ?? 'ERROR', message: e?.message ?? String(e) };
  setPhase(`error: ${state.error.message}`, true);
  step(`stopped: ${state.error.message}`);
  $('join').disabled = false;
  $('leave').disabled = true;
}

/** Numbers from a JSON array or text separated by commas, spaces or new lines. */
function parseVector(text) {
  const t = text.trim();
  const items = t.startsWith('[')
    ? JSON.parse(t)
    : t
        .split(/[\s,;]+/)
        .filter((s) => s !== '')
        .map(Number);
  if (!Array.isArray(items) || items.length === 0) throw new Error('the vector is empty');
  const v = Float64Array.from(items);
  const bad = v.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`element ${bad} is not a finite number (${JSON.stringify(items[bad])})`);
  return v;
}

function parseInvitation(text) {
  let o;
  try {
    o = JSON.parse(text);
  } catch {
    throw new Error('the invitation is not valid JSON');
  }
  for (const k of ['relayUrl', 'session', 'coordinator', 'config']) {
    if (o?.[k] === undefined) throw new Error(`the invitation lacks "${k}"`);
  }
  const publicKey = fromBase64url(String(o.coordinator.publicKey ?? ''));
  if (publicKey?.length !== 32) throw new Error('coordinator.publicKey expected 32 bytes of unpadded base64url');
  return {
    relayUrl: o.relayUrl,
    session: o.session,
    coordinator: { id: String(o.coordinator.id), publicKey },
    config: o.config,
  };
}

$('identity').addEventListener('change', async () => {
  identity?.zeroise();
  identity = undefined;
  const file = $('identity').files[0];
  if (!file) return;
  try {
    identity = await parseIdentity(await file.text());
    $('identity-info').textContent = `Loaded identity ${identity.id}.`;
  } catch (e) {
    $('identity-info').textContent = `Not loaded: ${e.message}`;
  }
});

async function readVector() {
  const file = $('vector-file').files[0];
  const v = parseVector(file ? await file.text() : $('vector-text').value);
  $('vector-info').textContent = `${v.length.toLocaleString()} numbers.`;
  return v;
}

/** Contributes `vector` to every round until the client closes. */
async function contributeLoop(c) {
  for (;;) {
    const r = await c.aggregate(vector);
    const round = state.rounds.find((x) => x.memo === r.memo);
    round.bytes = r.bytesSent;
    round.contributors = r.contributors?.length;
    round.aggregateHead = r.aggregate ? Array.from(r.aggregate.subarray(0, 3)) : undefined;
    const tr = document.createElement('tr');
    const cells = [
      state.rounds.length,
      round.contributors ?? '–',
      `${round.clientMs.toFixed(1)} ms`,
      `${r.bytesSent.toLocaleString()} B`,
      round.aggregateHead ? round.aggregateHead.map((x) => x.toPrecision(6)).join(', ') : 'not broadcast',
    ];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = String(text);
      tr.append(td);
    }
    $('result-rows').append(tr);
    $('result').hidden = false;
    setPhase(`contributed to ${state.rounds.length} round(s); waiting for the next`);
  }
}

$('join-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('join').disabled = true;
  state.error = undefined;
  try {
    if (!identity) throw new Error('load your identity file first');
    vector = await readVector();
    const inv = parseInvitation($('invitation').value);
    setPhase('loading the kernel');
    const kernel = await Kernel.load();
    state.flavour = kernel.flavour;
    $('kernel').textContent = `(kernel: ${kernel.flavour})`;
    setPhase(`connecting to ${inv.relayUrl}`);
    step(`joining session ${inv.session} as ${identity.id}`);
    client = await Client.join({ ...inv, identity, kernel });
    state.id = client.id;
    step('joined; key exchange with the coordinator done');
    setPhase('waiting for the coordinator to open a round');
    $('leave').disabled = false;
    let opened = 0;
    client.on('progress', (p) => {
      $('round-progress').value = PHASES[p.phase] ?? 0;
      if (p.phase === 'open') {
        opened = performance.now();
        state.rounds.push({ memo: p.memo, clientMs: undefined });
        setPhase(`round ${p.memo}: computing your masked contribution`);
        step(`round ${p.memo} opened`);
      } else if (p.phase === 'sent') {
        const round = state.rounds.find((x) => x.memo === p.memo);
        if (round) round.clientMs = performance.now() - opened;
        setPhase(`round ${p.memo}: contribution sent, waiting for the others`);
        step(`round ${p.memo}: sealed contribution sent (${round?.clientMs.toFixed(1)} ms)`);
      } else step(`round ${p.memo}: ${p.phase}`);
    });
    client.on('refused', (r) => step(`ignored a ${r.type} from ${r.from}: ${r.error.code}`));
    await contributeLoop(client);
  } catch (e) {
    if (e?.code === 'E_ABORTED' && client === undefined) return;
    fail(e);
  }
});

$('leave').addEventListener('click', () => {
  client?.close();
  client = undefined;
  identity?.zeroise();
  identity = undefined;
  $('identity').value = '';
  $('identity-info').textContent = 'Not loaded (left the session; the key was wiped from memory).';
  setPhase('left the session');
  $('join').disabled = false;
  $('leave').disabled = true;
});
