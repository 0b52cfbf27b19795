// One order's timeline, from /api/orders/:id/timeline (admin token). Text only: nothing from the
// response becomes markup.
const form = document.getElementById('lookup');
const table = document.getElementById('timeline');
const rows = table.querySelector('tbody');
const error = document.getElementById('error');
const who = document.getElementById('who');
const notes = document.getElementById('notes');

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function details(step) {
  const td = document.createElement('td');
  for (const [name, value] of Object.entries(step.details)) {
    if (value === null) continue;
    const code = document.createElement('code');
    code.textContent = `${name}: ${value}`;
    td.append(code, document.createElement('br'));
  }
  return td;
}

function show(timeline) {
  who.textContent = `order ${timeline.orderId} of ${timeline.userId}`;
  rows.replaceChildren(
    ...timeline.steps.map((step) => {
      const tr = document.createElement('tr');
      tr.dataset.step = step.step;
      const delay = step.sincePreviousMs === null ? '' : `+${step.sincePreviousMs} ms`;
      tr.append(cell(step.step), cell(step.at), cell(delay, 'delay'), details(step));
      return tr;
    }),
  );
  notes.replaceChildren(
    ...timeline.notes.map((note) => {
      const li = document.createElement('li');
      li.textContent = note;
      return li;
    }),
  );
  table.hidden = false;
}

async function lookUp(orderId, token) {
  error.textContent = '';
  const response = await fetch(`/api/orders/${encodeURIComponent(orderId)}/timeline`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    table.hidden = true;
    const body = await response.json().catch(() => ({}));
    error.textContent = `${response.status}: ${body.message ?? response.statusText}`;
    return;
  }
  show(await response.json());
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const orderId = document.getElementById('order-id').value.trim();
  const token = document.getElementById('token').value;
  history.replaceState(null, '', `?order=${encodeURIComponent(orderId)}`);
  void lookUp(orderId, token);
});

const linked = new URLSearchParams(location.search).get('order');
if (linked) document.getElementById('order-id').value = linked;
