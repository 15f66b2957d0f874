// Parley web client. No framework, no build step. Every text from the network is rendered with
// textContent, never as HTML. Reconnects with exponential backoff and full jitter, then resumes
// every room from the last sequence it has, and resends un-acknowledged messages with their
// original clientMsgId (the server answers a retry with the original sequence: no duplicate).
'use strict';

const $ = (id) => document.getElementById(id);
const MAX_KEPT = 500;          // messages kept in memory per room
const BACKOFF_BASE = 500;      // ms
const BACKOFF_MAX = 30000;     // ms
const ROOMS_REFRESH = 10000;   // ms: discover rooms joined elsewhere (a new direct conversation, another tab)
const HEARTBEAT = 25000;       // ms: a ping on an open socket; it also keeps the HTTP session alive

const state = {
  me: null,
  socket: null,
  wanted: false,               // false after logout: do not reconnect
  attempt: 0,
  everConnected: false,
  current: null,               // room shown
  rooms: new Map(),            // name -> { lastSeq, messages: Map(seq -> msg), oldest, unread, online, gaps }
  pending: new Map(),          // clientMsgId -> { room, text }
  typing: new Map(),           // room -> Map(user -> timeout)
  lastTypingSent: 0,
};

// ---- HTTP ------------------------------------------------------------------------------------

function cookie(name) {
  const found = document.cookie.split('; ').find((c) => c.startsWith(name + '='));
  return found ? decodeURIComponent(found.substring(name.length + 1)) : null;
}

async function csrfToken() {
  let token = cookie('XSRF-TOKEN');
  if (!token) {
    const response = await fetch('/api/csrf', { credentials: 'same-origin' });
    token = (await response.json()).token;
  }
  return token;
}

async function api(method, url, body) {
  const headers = { 'Accept': 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-XSRF-TOKEN'] = await csrfToken();
  }
  const response = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error((data && data.message) || response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

// ---- Authentication --------------------------------------------------------------------------

async function login(signup) {
  $('auth-error').textContent = '';
  const credentials = { username: $('username').value.trim(), password: $('password').value };
  try {
    if (signup) {
      await api('POST', '/api/signup', credentials);
    }
    await api('POST', '/api/login', credentials);
    await start();
  } catch (e) {
    $('auth-error').textContent = e.message;
  }
}

async function logout() {
  state.wanted = false;
  if (state.socket) {
    state.socket.close(1000);
  }
  try {
    await api('POST', '/api/logout');
  } catch (e) {
    // Already logged out.
  }
  location.reload();
}

async function start() {
  const me = await api('GET', '/api/me');
  state.me = me.username;
  $('whoami').textContent = state.me;
  $('auth').hidden = true;
  $('chat').hidden = false;
  $('logout').hidden = false;
  const rooms = await discoverRooms();
  if (rooms.length > 0) {
    show(rooms[0].room);
  }
  state.wanted = true;
  connect();
  setInterval(() => discoverRooms().catch(() => {}), ROOMS_REFRESH);
}

// Rooms this user belongs to but this page does not know yet: show their newest 50 messages,
// by joining from a little before the head.
async function discoverRooms() {
  const rooms = await api('GET', '/api/rooms');
  for (const summary of rooms) {
    if (!state.rooms.has(summary.room)) {
      const since = Math.max(0, summary.lastSeq - 50);
      room(summary.room).lastSeq = since;
      send({ type: 'join', room: summary.room, since });
    }
  }
  renderRooms();
  return rooms;
}

// ---- Socket ----------------------------------------------------------------------------------

function setState(name) {
  $('state').textContent = name;
  $('state').className = 'state ' + name;
}

function connect() {
  setState(state.everConnected ? 'reconnecting' : 'connecting');
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const socket = new WebSocket(scheme + location.host + '/ws');
  state.socket = socket;
  let opened = false;
  let heartbeat = null;
  socket.onopen = () => {
    opened = true;
    // A first frame at once: the server closes a socket that says nothing after its handshake (4000),
    // and a page with no rooms yet would otherwise wait for the first heartbeat.
    send({ type: 'ping', id: 'hello' });
    heartbeat = setInterval(() => send({ type: 'ping', id: 'heartbeat' }), HEARTBEAT);
  };
  socket.onmessage = (event) => handle(JSON.parse(event.data));
  socket.onclose = async (event) => {
    clearInterval(heartbeat);
    if (state.socket !== socket) {
      return;
    }
    state.socket = null;
    if (event.code === 1008) {
      // The HTTP session ended (logout elsewhere, expiry): log in again.
      location.reload();
      return;
    }
    if (!opened && state.wanted) {
      // A refused handshake: if the session is gone (401), retrying cannot help.
      try {
        await api('GET', '/api/me');
      } catch (e) {
        if (e.status === 401) {
          location.reload();
          return;
        }
      }
    }
    if (!state.wanted) {
      setState('offline');
      return;
    }
    setState('reconnecting');
    const delay = Math.random() * Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** state.attempt);
    state.attempt++;
    setTimeout(connect, delay);
  };
}

function send(frame) {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

function handle(frame) {
  switch (frame.type) {
    case 'welcome': {
      const resumed = state.everConnected;
      state.everConnected = true;
      state.attempt = 0;
      for (const [name, r] of state.rooms) {
        send({ type: 'join', room: name, since: r.lastSeq });
      }
      for (const [clientMsgId, p] of state.pending) {
        send({ type: 'send', room: p.room, clientMsgId, text: p.text });
      }
      setState(resumed ? 'resumed' : 'connected');
      break;
    }
    case 'joined': {
      const r = room(frame.room);
      if (r.lastSeq === 0 && frame.lastSeq > 0 && r.messages.size === 0) {
        // A room joined for the first time: fetch its newest page.
        send({ type: 'history', room: frame.room, limit: 50 });
      }
      renderRooms();
      break;
    }
    case 'message':
      addMessage(frame, true);
      break;
    case 'history':
      for (const m of frame.messages) {
        addMessage(m, false);
      }
      if (frame.room === state.current) {
        renderMessages();
      }
      break;
    case 'sent':
      state.pending.delete(frame.clientMsgId);
      if (frame.room === state.current) {
        renderMessages();
      }
      break;
    case 'gap':
      fetchGap(frame.room, frame.from, frame.to);
      break;
    case 'presence': // a snapshot: replaces the list
    case 'presence-delta': // a change since the last snapshot or change
      if (state.rooms.has(frame.room)) {
        const r = room(frame.room);
        r.online = frame.type === 'presence' ? frame.online : applyPresenceDelta(r.online, frame);
        if (frame.room === state.current) {
          renderPresence();
        }
      }
      break;
    case 'typing':
      showTyping(frame.room, frame.user);
      break;
    case 'left':
      state.rooms.delete(frame.room);
      if (state.current === frame.room) {
        state.current = null;
        renderMessages();
      }
      renderRooms();
      break;
    case 'error':
      if (frame.code === 'unavailable') {
        // A draining node refused a send; it stays pending and goes again after the 1012 reconnect.
        break;
      }
      $('chat-error').textContent = frame.message + (frame.ref ? ' (' + frame.ref + ')' : '');
      break;
    default:
      break;
  }
}

// ---- Rooms and messages ----------------------------------------------------------------------

function room(name) {
  let r = state.rooms.get(name);
  if (!r) {
    r = { lastSeq: 0, messages: new Map(), unread: 0, online: [] };
    state.rooms.set(name, r);
  }
  return r;
}

function addMessage(m, live) {
  const r = room(m.room);
  if (r.messages.has(m.seq)) {
    return;
  }
  r.messages.set(m.seq, m);
  if (m.seq > r.lastSeq) {
    r.lastSeq = m.seq;
  }
  if (r.messages.size > MAX_KEPT) {
    r.messages.delete(Math.min(...r.messages.keys()));
  }
  if (live) {
    if (m.room === state.current) {
      renderMessages();
    } else {
      r.unread++;
      renderRooms();
    }
  }
}

async function fetchGap(name, from, to) {
  let after = from - 1;
  while (after < to) {
    const page = await api('GET', '/api/rooms/' + encodeURIComponent(name) + '/messages?after=' + after + '&limit=200');
    if (page.messages.length === 0) {
      break;
    }
    for (const m of page.messages) {
      if (m.seq <= to) {
        addMessage(m, false);
      }
      after = m.seq;
    }
  }
  if (name === state.current) {
    renderMessages();
  }
}

function label(name) {
  if (name.startsWith('dm:')) {
    const other = name.substring(3).split(':').find((u) => u !== state.me);
    return '@' + other;
  }
  return '#' + name;
}

function renderRooms() {
  const list = $('rooms');
  list.replaceChildren();
  for (const [name, r] of [...state.rooms].sort()) {
    const item = document.createElement('li');
    item.textContent = label(name);
    if (name === state.current) {
      item.className = 'active';
    }
    if (r.unread > 0) {
      const badge = document.createElement('span');
      badge.className = 'unread';
      badge.textContent = String(r.unread);
      item.append(badge);
    }
    item.addEventListener('click', () => show(name));
    list.append(item);
  }
}

function show(name) {
  state.current = name;
  room(name).unread = 0;
  renderRooms();
  renderMessages();
  renderPresence();
}

function renderMessages() {
  const list = $('messages');
  list.replaceChildren();
  const name = state.current;
  $('room-title').textContent = name ? label(name) : 'Pick a room';
  $('leave').hidden = !name;
  $('text').disabled = !name;
  $('send').disabled = !name;
  $('older').hidden = !name;
  if (!name) {
    return;
  }
  const r = room(name);
  const seqs = [...r.messages.keys()].sort((a, b) => a - b);
  let previous = null;
  for (const seq of seqs) {
    if (previous !== null && seq > previous + 1) {
      const gap = document.createElement('li');
      gap.className = 'gap';
      gap.textContent = (seq - previous - 1) + ' earlier message(s) not loaded';
      list.append(gap);
    }
    list.append(renderMessage(r.messages.get(seq), false));
    previous = seq;
  }
  for (const [, p] of state.pending) {
    if (p.room === name) {
      list.append(renderMessage({ from: state.me, text: p.text }, true));
    }
  }
  list.scrollTop = list.scrollHeight;
}

function renderMessage(m, pending) {
  const item = document.createElement('li');
  if (pending) {
    item.className = 'pending';
  }
  const from = document.createElement('span');
  from.className = 'from';
  from.textContent = m.from;
  const text = document.createElement('span');
  text.textContent = m.text;
  item.append(from, text);
  if (m.ts) {
    const ts = document.createElement('span');
    ts.className = 'ts';
    ts.textContent = new Date(m.ts).toLocaleTimeString();
    item.append(ts);
  }
  return item;
}

function applyPresenceDelta(online, delta) {
  const users = new Set(online);
  (delta.left || []).forEach((user) => users.delete(user));
  (delta.joined || []).forEach((user) => users.add(user));
  return [...users].sort();
}

function renderPresence() {
  const name = state.current;
  $('presence').textContent = name ? 'online: ' + room(name).online.join(', ') : '';
}

function showTyping(name, user) {
  let users = state.typing.get(name);
  if (!users) {
    users = new Map();
    state.typing.set(name, users);
  }
  clearTimeout(users.get(user));
  users.set(user, setTimeout(() => {
    users.delete(user);
    renderTyping();
  }, 3000));
  renderTyping();
}

function renderTyping() {
  const users = state.typing.get(state.current);
  const names = users ? [...users.keys()] : [];
  $('typing').textContent = names.length ? names.join(', ') + (names.length === 1 ? ' is' : ' are') + ' typing…' : '';
}

function join(name) {
  room(name);
  renderRooms();
  show(name);
  send({ type: 'join', room: name });
}

// crypto.randomUUID exists only in secure contexts (https, localhost); plain http elsewhere needs this.
function uuid() {
  if (crypto.randomUUID) {
    return crypto.randomUUID();
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
}

// ---- Wiring ----------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('auth-form').addEventListener('submit', (e) => {
    e.preventDefault();
    login(false);
  });
  $('signup').addEventListener('click', () => login(true));
  $('logout').addEventListener('click', logout);
  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    join($('join-room').value.trim());
    $('join-room').value = '';
  });
  $('dm-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const other = $('dm-user').value.trim();
    if (other && other !== state.me) {
      join('dm:' + [state.me, other].sort().join(':'));
    }
    $('dm-user').value = '';
  });
  $('leave').addEventListener('click', () => state.current && send({ type: 'leave', room: state.current }));
  $('older').addEventListener('click', () => {
    const r = room(state.current);
    const oldest = r.messages.size ? Math.min(...r.messages.keys()) : undefined;
    send({ type: 'history', room: state.current, before: oldest, limit: 50 });
  });
  $('send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value;
    if (!text || !state.current) {
      return;
    }
    const clientMsgId = uuid();
    state.pending.set(clientMsgId, { room: state.current, text });
    send({ type: 'send', room: state.current, clientMsgId, text });
    $('text').value = '';
    renderMessages();
  });
  $('text').addEventListener('input', () => {
    const now = Date.now();
    if (state.current && now - state.lastTypingSent > 2000) {
      state.lastTypingSent = now;
      send({ type: 'typing', room: state.current });
    }
  });
  start().catch(() => {
    $('auth').hidden = false;
  });
});
