// Parley web client. No framework, no build step: ES modules served as they are. Reconnects with
// exponential backoff and full jitter (at once after a drain's 1012), then resumes every room from the
// newest sequence it knows, and resends unacknowledged messages with their original clientMsgId (the
// server answers a retry with the original sequence: no duplicate). Read state comes from the server
// (GET /api/rooms at load and after each reconnect, read frames live) and is sent as the user reads.
'use strict';

import { api, authErrorSentence, USERNAME_RULE, USERNAME_SENTENCE, ROOM_RULE, ROOM_SENTENCE } from './http.js';
import { state, room, unread, oldestSeq, hasOlder, label, isBlank, sortedRooms } from './state.js';
import {
  $, setStatus, renderRooms, renderFrame, renderMessages, appendMessage, renderPending, renderHistoryState,
  renderPresence, renderTyping, updateSendButton, isAtBottom, scrollToBottom, announce, isNarrow, openDrawer,
  closeDrawer,
} from './view.js';

const PAGE = 50;               // messages per page of history
const MAX_KEPT = 2000;         // messages kept per room; beyond, the oldest go (and scrolling up fetches them again)
const BACKOFF_BASE = 500;      // ms
const BACKOFF_MAX = 30000;     // ms
const HEARTBEAT = 25000;       // ms: a ping on an open socket; it also keeps the HTTP session alive
const TYPING_EVERY = 2000;     // ms between two typing frames of this page
const TYPING_SHOWN = 3000;     // ms a "typing" lasts without news
const READ_DELAY = 250;        // ms: reads are gathered before one read frame goes
const LOAD_MARGIN = 400;       // px from the top of the list at which older messages are fetched

let retryTimer = null;
let countdown = null;
let retryAt = 0;
let lastTypingSent = 0;

const lastRoomKey = () => 'parley.lastRoom.' + state.me;

// ---- Authentication --------------------------------------------------------------------------

function showAuth() {
  $('auth').hidden = false;
  $('username').focus();
}

function authProblem(signup, username, password) {
  if (!username) {
    return ['username', 'Enter a user name.'];
  }
  if (signup && !USERNAME_RULE.test(username)) {
    return ['username', USERNAME_SENTENCE];
  }
  if (!password) {
    return ['password', 'Enter a password.'];
  }
  if (signup && password.length < 8) {
    return ['password', 'Your password needs at least 8 characters.'];
  }
  return null;
}

async function login(signup) {
  const error = $('auth-error');
  error.textContent = '';
  $('username').removeAttribute('aria-invalid');
  $('password').removeAttribute('aria-invalid');
  // User names are lowercase: "Alice" is alice.
  const username = $('username').value.trim().toLowerCase();
  const password = $('password').value;
  const problem = authProblem(signup, username, password);
  if (problem) {
    $(problem[0]).setAttribute('aria-invalid', 'true');
    error.textContent = problem[1];
    $(problem[0]).focus();
    return;
  }
  $('login').disabled = true;
  $('signup').disabled = true;
  try {
    if (signup) {
      await api('POST', '/api/signup', { username, password });
    }
    await api('POST', '/api/login', { username, password });
    $('password').value = '';
    await start();
  } catch (e) {
    const field = e.code === 'bad_request' && String(e.message).toLowerCase().includes('password') ? 'password'
        : (e.code === 'bad_request' || e.code === 'username_taken') ? 'username' : null;
    if (field) {
      $(field).setAttribute('aria-invalid', 'true');
    }
    error.textContent = authErrorSentence(e, signup);
  } finally {
    $('login').disabled = false;
    $('signup').disabled = false;
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
  $('me-name').textContent = state.me;
  $('auth').hidden = true;
  $('chat').hidden = false;
  $('logout').hidden = false;
  $('menu').hidden = false;
  setStatus('connecting', 'connecting…');
  await refreshRooms();
  const last = localStorage.getItem(lastRoomKey());
  const names = sortedRooms();
  show(last && state.rooms.has(last) ? last : (names[0] || null), false);
  state.wanted = true;
  connect();
}

/** My rooms from the server: their heads and read positions; rooms not known yet are added (and joined when connected). */
async function refreshRooms() {
  const summaries = await api('GET', '/api/rooms');
  for (const summary of summaries) {
    const known = state.rooms.has(summary.room);
    const r = room(summary.room);
    r.head = Math.max(r.head, summary.lastSeq);
    r.readSeq = Math.max(r.readSeq, summary.readSeq);
    r.serverRead = Math.max(r.serverRead, summary.readSeq);
    if (summary.lastSeq === 0) {
      r.complete = true;
    }
    if (!known && state.everConnected) {
      send({ type: 'join', room: summary.room, since: r.head });
    }
  }
  renderAll();
}

// ---- Socket ----------------------------------------------------------------------------------

function clearRetry() {
  clearTimeout(retryTimer);
  clearInterval(countdown);
  retryTimer = null;
  countdown = null;
}

function connect() {
  clearRetry();
  if (state.everConnected) {
    setStatus('reconnecting', 'reconnecting…');
  } else {
    setStatus('connecting', 'connecting…');
  }
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const socket = new WebSocket(scheme + location.host + '/ws');
  state.socket = socket;
  let opened = false;
  let heartbeat = null;
  socket.onopen = () => {
    opened = true;
    // A first frame at once: the server closes a socket that says nothing after its handshake (4000).
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
    state.node = null;
    for (const r of state.rooms.values()) {
      r.online = [];
    }
    state.typing.clear();
    renderPresence();
    renderTyping();
    if (event.code === 1008) {
      // The HTTP session ended (logout elsewhere, expiry, an admin's revocation): log in again.
      location.reload();
      return;
    }
    if (!state.wanted) {
      setStatus('offline', 'offline');
      return;
    }
    if (!opened) {
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
    // A draining node (1012): another one answers at once; anything else: back off.
    const delay = event.code === 1012 ? Math.random() * BACKOFF_BASE
        : Math.random() * Math.min(BACKOFF_MAX, BACKOFF_BASE * 2 ** state.attempt);
    state.attempt++;
    scheduleReconnect(delay);
  };
}

function scheduleReconnect(delay) {
  clearRetry();
  retryAt = Date.now() + delay;
  retryTimer = setTimeout(connect, delay);
  showCountdown();
  countdown = setInterval(showCountdown, 250);
}

function showCountdown() {
  if (!navigator.onLine) {
    setStatus('offline', 'offline', 'No network; reconnecting as soon as there is one');
    return;
  }
  const seconds = Math.ceil((retryAt - Date.now()) / 1000);
  setStatus('reconnecting', seconds >= 1 ? 'reconnecting in ' + seconds + ' s' : 'reconnecting…', 'The connection was lost');
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
    case 'welcome':
      welcome(frame);
      break;
    case 'joined': {
      if (!state.rooms.has(frame.room)) {
        break;
      }
      const r = room(frame.room);
      r.head = Math.max(r.head, frame.lastSeq);
      if (frame.lastSeq === 0 && r.messages.size === 0) {
        r.complete = true;
      }
      if (frame.room === state.current) {
        fillView();
        renderHistoryState();
      }
      renderRoomList();
      break;
    }
    case 'message':
      message(frame);
      break;
    case 'history': // answers to a history frame; this page reads history over HTTP
      break;
    case 'sent': {
      const p = state.pending.get(frame.clientMsgId);
      const r = state.rooms.get(frame.room);
      if (p && r && r.messages.has(frame.seq)) {
        state.pending.delete(frame.clientMsgId);
        renderPendingIfShown(frame.room);
      }
      break;
    }
    case 'gap':
      fetchRange(frame.room, frame.from, frame.to);
      break;
    case 'presence': // a snapshot: replaces the list
    case 'presence-delta': // a change since the last snapshot or change
      if (state.rooms.has(frame.room)) {
        const r = room(frame.room);
        r.online = frame.type === 'presence' ? [...frame.online] : applyPresenceDelta(r.online, frame);
        if (frame.room === state.current) {
          renderPresence();
        }
      }
      break;
    case 'typing':
      if (frame.user !== state.me && state.rooms.has(frame.room)) {
        showTyping(frame.room, frame.user);
      }
      break;
    case 'read':
      if (state.rooms.has(frame.room)) {
        const r = room(frame.room);
        r.readSeq = Math.max(r.readSeq, frame.seq);
        r.serverRead = Math.max(r.serverRead, frame.seq);
        renderRoomList();
      }
      break;
    case 'room':
      // Someone opened a direct conversation with this user (or added them to a room).
      if (!state.rooms.has(frame.room)) {
        room(frame.room);
        send({ type: 'join', room: frame.room, since: 0 });
        renderRoomList();
        announce('New conversation: ' + label(frame.room));
      }
      break;
    case 'left':
      left(frame.room);
      break;
    case 'error':
      error(frame);
      break;
    default:
      break;
  }
}

function welcome(frame) {
  const reconnected = state.everConnected;
  state.everConnected = true;
  state.attempt = 0;
  state.node = frame.node;
  clearRetry();
  setStatus('connected', 'connected', 'Connected to ' + frame.node);
  for (const [name, r] of state.rooms) {
    send({ type: 'join', room: name, since: r.head });
  }
  for (const [clientMsgId, p] of state.pending) {
    send({ type: 'send', room: p.room, clientMsgId, text: p.text });
  }
  for (const r of state.rooms.values()) {
    if (r.readSeq > r.serverRead) {
      sendRead(r);
    }
  }
  if (reconnected) {
    // Pushes between nodes are at most once: read state and new rooms again from the server.
    refreshRooms().catch(() => {});
  }
  if (state.current) {
    fillView();
  }
}

function message(m) {
  if (!state.rooms.has(m.room)) {
    return;
  }
  const r = room(m.room);
  if (r.messages.has(m.seq)) {
    return;
  }
  const wasPending = m.clientMsgId && state.pending.has(m.clientMsgId) && m.from === state.me;
  addMessage(m);
  if (wasPending) {
    state.pending.delete(m.clientMsgId);
  }
  clearTyping(m.room, m.from);
  if (m.room === state.current) {
    appendMessage(m);
    markReadIfSeen();
    if (m.from !== state.me) {
      announce(m.from + ': ' + m.text);
    }
  }
  renderRoomList();
}

function addMessage(m) {
  const r = room(m.room);
  if (r.messages.has(m.seq)) {
    return;
  }
  r.messages.set(m.seq, m);
  r.head = Math.max(r.head, m.seq);
  if (m.from === state.me) {
    // The server moves the sender's read position to their own message.
    r.readSeq = Math.max(r.readSeq, m.seq);
    r.serverRead = Math.max(r.serverRead, m.seq);
  }
  if (r.messages.size > MAX_KEPT && (m.room !== state.current || isAtBottom())) {
    r.messages.delete(oldestSeq(r));
    r.complete = false;
  }
}

/** Messages from..to (a gap of this connection): fetched over HTTP. */
async function fetchRange(name, from, to) {
  let after = from - 1;
  try {
    while (after < to) {
      const page = await api('GET', '/api/rooms/' + encodeURIComponent(name) + '/messages?after=' + after + '&limit=200');
      if (page.messages.length === 0 || !state.rooms.has(name)) {
        break;
      }
      for (const m of page.messages) {
        if (m.seq <= to) {
          addMessage(m);
        }
        after = m.seq;
      }
    }
  } catch (e) {
    // The next reconnect or scroll fetches what is still missing.
  }
  if (name === state.current) {
    renderMessages(false);
  }
  renderRoomList();
}

/** The next page of older messages of a room (the newest page when none is held). */
async function loadOlder(name) {
  const r = room(name);
  if (r.loading || !hasOlder(r)) {
    return;
  }
  r.loading = true;
  if (name === state.current) {
    renderHistoryState();
  }
  const before = oldestSeq(r);
  try {
    const page = await api('GET', '/api/rooms/' + encodeURIComponent(name) + '/messages?limit=' + PAGE
        + (before === null ? '' : '&before=' + before));
    if (state.rooms.get(name) !== r) {
      return; // left meanwhile
    }
    for (const m of page.messages) {
      addMessage(m);
    }
    if (page.messages.length === 0 || (page.messages.length > 0 && page.messages[0].seq === 1)) {
      r.complete = true;
    }
  } catch (e) {
    r.retryAt = Date.now() + 3000;
    if (name === state.current) {
      chatError('Older messages could not be loaded. Scroll up to try again.');
    }
  } finally {
    r.loading = false;
  }
  if (state.rooms.get(name) === r && name === state.current) {
    renderMessages(false);
    fillView();
    markReadIfSeen();
  }
  renderRoomList();
}

/** Loads older messages while the view is not full, or the reader is near its top. */
function fillView() {
  const name = state.current;
  if (!name) {
    return;
  }
  const scroller = $('scroller');
  if (scroller.scrollTop < LOAD_MARGIN || scroller.scrollHeight <= scroller.clientHeight) {
    loadOlder(name);
  }
}

function left(name) {
  state.rooms.delete(name);
  state.typing.delete(name);
  for (const [clientMsgId, p] of state.pending) {
    if (p.room === name) {
      state.pending.delete(clientMsgId);
    }
  }
  if (localStorage.getItem(lastRoomKey()) === name) {
    localStorage.removeItem(lastRoomKey());
  }
  if (state.current === name) {
    const names = sortedRooms();
    show(names[0] || null, false);
  } else {
    renderRoomList();
  }
}

function error(frame) {
  if (frame.code === 'unavailable') {
    // A draining node refused a send; it stays pending and goes again after the 1012 reconnect.
    return;
  }
  const p = frame.ref && state.pending.get(frame.ref);
  if (p) {
    if (frame.code === 'rate_limited' || frame.code === 'internal') {
      chatError('Your message is taking longer than usual; it will be sent again.');
      setTimeout(() => send({ type: 'send', room: p.room, clientMsgId: frame.ref, text: p.text }), 2000);
      return;
    }
    state.pending.delete(frame.ref);
    renderPendingIfShown(p.room);
    chatError('Your message was not sent: ' + frame.message);
    return;
  }
  if (frame.code === 'rate_limited' && (frame.ref === 'typing' || frame.ref === 'read' || frame.ref === 'ping')) {
    return;
  }
  chatError(frame.message);
}

let chatErrorTimer = null;

function chatError(text) {
  $('chat-error').textContent = text;
  clearTimeout(chatErrorTimer);
  chatErrorTimer = setTimeout(() => {
    $('chat-error').textContent = '';
  }, 8000);
}

// ---- Read state ------------------------------------------------------------------------------

/** The room shown has been read up to its newest message when that message is loaded and in view. */
function markReadIfSeen() {
  const name = state.current;
  if (!name || document.visibilityState !== 'visible') {
    return;
  }
  const r = room(name);
  if (r.head > r.readSeq && r.messages.has(r.head) && isAtBottom()) {
    r.readSeq = r.head;
    renderRoomList();
    clearTimeout(r.readTimer);
    r.readTimer = setTimeout(() => sendRead(r), READ_DELAY);
  }
}

function sendRead(r) {
  if (state.rooms.get(r.name) === r && r.readSeq > r.serverRead) {
    send({ type: 'read', room: r.name, seq: r.readSeq });
  }
}

// ---- Rooms and messages ----------------------------------------------------------------------

function renderRoomList() {
  renderRooms((name) => {
    show(name, true);
  });
}

function renderAll() {
  renderRoomList();
  renderFrame();
  renderMessages(true);
}

function renderPendingIfShown(name) {
  if (name === state.current) {
    renderPending();
    renderHistoryState();
  }
}

/** Opens a room (or none). fromList: picked by the user, who then wants to write. */
function show(name, fromList) {
  const changed = state.current !== name;
  state.current = name;
  if (name) {
    localStorage.setItem(lastRoomKey(), name);
  }
  renderRoomList();
  renderFrame();
  if (changed || fromList) {
    renderMessages(true);
  }
  closeDrawer(false);
  if (name) {
    fillView();
    markReadIfSeen();
    if (fromList) {
      $('text').focus();
    }
  }
}

function applyPresenceDelta(online, delta) {
  const users = new Set(online);
  (delta.left || []).forEach((user) => users.delete(user));
  (delta.joined || []).forEach((user) => users.add(user));
  return [...users].sort();
}

function showTyping(name, user) {
  let users = state.typing.get(name);
  if (!users) {
    users = new Map();
    state.typing.set(name, users);
  }
  clearTimeout(users.get(user));
  users.set(user, setTimeout(() => clearTyping(name, user), TYPING_SHOWN));
  if (name === state.current) {
    renderTyping();
  }
}

/** That user stopped typing: the time ran out, or their message arrived. */
function clearTyping(name, user) {
  const users = state.typing.get(name);
  if (users && users.has(user)) {
    clearTimeout(users.get(user));
    users.delete(user);
    if (name === state.current) {
      renderTyping();
    }
  }
}

function joinRoom(input) {
  const name = input.trim().toLowerCase().replace(/^#/, '');
  if (!ROOM_RULE.test(name)) {
    return ROOM_SENTENCE;
  }
  if (!state.rooms.has(name)) {
    room(name);
    send({ type: 'join', room: name });
  }
  show(name, true);
  return null;
}

async function openDirect(input) {
  const other = input.trim().toLowerCase().replace(/^@/, '');
  if (!USERNAME_RULE.test(other)) {
    return USERNAME_SENTENCE;
  }
  if (other === state.me) {
    return 'That is you. Enter the user name of someone else.';
  }
  const name = 'dm:' + [state.me, other].sort().join(':');
  if (!state.rooms.has(name)) {
    let page;
    try {
      page = await api('GET', '/api/rooms/' + encodeURIComponent(name) + '/messages?limit=' + PAGE);
    } catch (e) {
      if (e.status === 404) {
        return 'There is no user called “' + other + '”.';
      }
      return 'The conversation could not be opened. Try again.';
    }
    const r = room(name);
    for (const m of page.messages) {
      addMessage(m);
    }
    if (page.messages.length === 0 || page.messages[0].seq === 1) {
      r.complete = true;
    }
    send({ type: 'join', room: name, since: r.head });
  }
  show(name, true);
  return null;
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

function submitMessage() {
  const text = $('text').value.trim();
  if (!state.current || isBlank(text)) {
    return;
  }
  const clientMsgId = uuid();
  state.pending.set(clientMsgId, { room: state.current, text });
  send({ type: 'send', room: state.current, clientMsgId, text });
  $('text').value = '';
  lastTypingSent = 0; // the next keystroke is news again
  resizeInput();
  updateSendButton();
  renderPending();
  renderHistoryState();
  scrollToBottom();
}

function resizeInput() {
  const input = $('text');
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight + 2, 144) + 'px';
}

// ---- Wiring ----------------------------------------------------------------------------------

function sideForm(formId, inputId, action) {
  $(formId).addEventListener('submit', async (e) => {
    e.preventDefault();
    $('side-error').textContent = '';
    $(inputId).removeAttribute('aria-invalid');
    const problem = await action($(inputId).value);
    if (problem) {
      $(inputId).setAttribute('aria-invalid', 'true');
      $('side-error').textContent = problem;
      $(inputId).focus();
    } else {
      $(inputId).value = '';
    }
  });
}

document.addEventListener('DOMContentLoaded', () => {
  $('auth-form').addEventListener('submit', (e) => {
    e.preventDefault();
    login(false);
  });
  $('signup').addEventListener('click', () => login(true));
  $('logout').addEventListener('click', logout);
  for (const id of ['username', 'password', 'join-room', 'dm-user']) {
    $(id).addEventListener('input', () => $(id).removeAttribute('aria-invalid'));
  }
  sideForm('join-form', 'join-room', joinRoom);
  sideForm('dm-form', 'dm-user', openDirect);
  $('leave').addEventListener('click', () => state.current && send({ type: 'leave', room: state.current }));
  $('send-form').addEventListener('submit', (e) => {
    e.preventDefault();
    submitMessage();
  });
  $('text').addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter is a new line.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submitMessage();
    }
  });
  $('text').addEventListener('input', () => {
    resizeInput();
    updateSendButton();
    const now = Date.now();
    if (state.current && !isBlank($('text').value) && now - lastTypingSent > TYPING_EVERY) {
      lastTypingSent = now;
      send({ type: 'typing', room: state.current });
    }
  });
  $('scroller').addEventListener('scroll', () => {
    if (state.current && $('scroller').scrollTop < LOAD_MARGIN) {
      loadOlder(state.current);
    }
    markReadIfSeen();
    $('jump').hidden = !state.current || isAtBottom() || unread(room(state.current)) === 0;
  });
  $('jump').addEventListener('click', () => {
    scrollToBottom();
    markReadIfSeen();
    $('text').focus();
  });
  $('menu').addEventListener('click', () => {
    if ($('chat').classList.contains('drawer-open')) {
      closeDrawer(true);
    } else {
      openDrawer();
    }
  });
  $('backdrop').addEventListener('click', () => closeDrawer(true));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && isNarrow()) {
      closeDrawer(true);
    }
  });
  document.addEventListener('visibilitychange', markReadIfSeen);
  window.addEventListener('online', () => {
    if (state.wanted && !state.socket && retryTimer) {
      connect();
    }
  });
  window.addEventListener('offline', () => {
    if (state.wanted && !state.socket) {
      setStatus('offline', 'offline', 'No network; reconnecting as soon as there is one');
    }
  });
  start().catch(showAuth);
});
