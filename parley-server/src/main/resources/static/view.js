// Rendering of the chat page. Every text from the network goes in with textContent, never as HTML.
'use strict';

import { state, room, unread, label, hasOlder, isBlank, sortedRooms } from './state.js';

export const $ = (id) => document.getElementById(id);

const BOTTOM_SLACK = 48; // px: this close to the end counts as "at the newest message"
const GROUP_WITHIN = 5 * 60 * 1000; // ms: a message this soon after the previous one of its author continues it

// ---- Status --------------------------------------------------------------------------------

/** kind: connecting | connected | reconnecting | offline; text: what the pill says. */
export function setStatus(kind, text, title) {
  const pill = $('state');
  pill.hidden = false;
  pill.className = 'state ' + kind;
  if (pill.textContent !== text) {
    pill.textContent = text; // unchanged text is not written again: a screen reader would repeat it
  }
  pill.title = title || '';
}

// ---- Room list -----------------------------------------------------------------------------

export function renderRooms(onPick) {
  const list = $('rooms');
  list.replaceChildren();
  const names = sortedRooms();
  let total = 0;
  for (const name of names) {
    const r = state.rooms.get(name);
    const count = unread(r);
    total += count;
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.room = name;
    if (name === state.current) {
      button.setAttribute('aria-current', 'true');
    }
    const text = document.createElement('span');
    text.className = 'name';
    text.textContent = label(name);
    button.append(text);
    if (count > 0) {
      button.append(badge(count));
    }
    button.addEventListener('click', () => onPick(name));
    item.append(button);
    list.append(item);
  }
  $('rooms-empty').hidden = names.length > 0;
  const menuBadge = $('menu-unread');
  menuBadge.hidden = total === 0;
  menuBadge.replaceChildren(...(total > 0 ? badgeParts(total) : []));
}

function badge(count) {
  const span = document.createElement('span');
  span.className = 'badge';
  span.append(...badgeParts(count));
  return span;
}

function badgeParts(count) {
  const number = document.createElement('span');
  number.className = 'count';
  number.textContent = String(count);
  const words = document.createElement('span');
  words.className = 'sr-only';
  words.textContent = ' unread';
  return [number, words];
}

// ---- Conversation --------------------------------------------------------------------------

/** The header, the input and the empty states of the room shown (or of none). */
export function renderFrame() {
  const name = state.current;
  $('room-title').textContent = name ? label(name) : 'No room open';
  $('leave').hidden = !name;
  $('text').disabled = !name;
  $('text').placeholder = name ? 'Message ' + label(name) : 'Open a room to write';
  updateSendButton();
  renderPresence();
  renderTyping();
}

export function updateSendButton() {
  $('send').disabled = !state.current || isBlank($('text').value);
}

export function renderPresence() {
  const name = state.current;
  const online = name && state.rooms.has(name) ? room(name).online : [];
  if (!name || online.length === 0) {
    $('presence').textContent = '';
    return;
  }
  // Me first, then the others in order.
  const others = online.filter((user) => user !== state.me);
  const names = online.includes(state.me) ? [state.me + ' (you)', ...others] : others;
  $('presence').textContent = 'Online: ' + names.join(', ');
}

export function renderTyping() {
  const users = state.typing.get(state.current);
  const names = users ? [...users.keys()].sort() : [];
  let text = '';
  if (names.length === 1) {
    text = names[0] + ' is typing…';
  } else if (names.length === 2) {
    text = names[0] + ' and ' + names[1] + ' are typing…';
  } else if (names.length > 2) {
    text = names.length + ' people are typing…';
  }
  $('typing').textContent = text;
}

export function isAtBottom() {
  const scroller = $('scroller');
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < BOTTOM_SLACK;
}

export function scrollToBottom() {
  const scroller = $('scroller');
  scroller.scrollTop = scroller.scrollHeight;
}

/** Where the reader is: at the newest message, or a message and its distance from the top of the view. */
function anchor() {
  if (isAtBottom()) {
    return { bottom: true };
  }
  const top = $('scroller').getBoundingClientRect().top;
  for (const item of $('messages').children) {
    if (item.dataset.seq) {
      const box = item.getBoundingClientRect();
      if (box.bottom > top) {
        return { seq: item.dataset.seq, offset: box.top - top };
      }
    }
  }
  return { bottom: true };
}

function restore(position) {
  const scroller = $('scroller');
  if (position.bottom) {
    scroller.scrollTop = scroller.scrollHeight;
    return;
  }
  const item = $('messages').querySelector('li[data-seq="' + position.seq + '"]');
  if (item) {
    scroller.scrollTop += item.getBoundingClientRect().top - scroller.getBoundingClientRect().top - position.offset;
  }
}

/**
 * Renders the messages of the room shown, keeping the reader where they were: at the newest message
 * if they were there, otherwise with the same message at the same place (older messages added above
 * it do not move it). toBottom: a room just opened starts at its newest message.
 */
export function renderMessages(toBottom) {
  const position = toBottom ? { bottom: true } : anchor();
  const list = $('messages');
  const name = state.current;
  if (!name) {
    list.replaceChildren();
    $('pending').replaceChildren();
    $('history-state').textContent = '';
    $('empty').textContent = state.rooms.size === 0
        ? 'Join a room, or message someone, from the room list.'
        : 'Pick a room from the room list.';
    updateJump();
    return;
  }
  const r = room(name);
  const seqs = [...r.messages.keys()].sort((a, b) => a - b);
  const items = [];
  let previous = null;
  let day = null;
  for (const seq of seqs) {
    const m = r.messages.get(seq);
    let continues = previous !== null && continuation(r.messages.get(previous), m);
    if (previous !== null && seq > previous + 1) {
      const gap = document.createElement('li');
      gap.className = 'gap';
      gap.textContent = (seq - previous - 1) === 1 ? 'One message not loaded' : (seq - previous - 1) + ' messages not loaded';
      items.push(gap);
      continues = false;
    }
    const key = dayKey(m.ts);
    if (key !== day) {
      items.push(daySeparator(m.ts));
      day = key;
      continues = false;
    }
    items.push(messageItem(m, false, continues));
    previous = seq;
  }
  list.replaceChildren(...items);
  renderPending();
  renderHistoryState();
  restore(position);
  updateJump();
}

/** A live message after the last one shown: appended without redrawing the list. */
export function appendMessage(m) {
  const list = $('messages');
  const last = [...list.children].reverse().find((item) => item.dataset.seq);
  if (!last || Number(last.dataset.seq) !== m.seq - 1) {
    renderMessages(false);
    return;
  }
  const stay = isAtBottom();
  const key = dayKey(m.ts);
  const newDay = last.dataset.day !== key;
  if (newDay) {
    list.append(daySeparator(m.ts));
  }
  const previous = room(m.room).messages.get(m.seq - 1);
  list.append(messageItem(m, false, !newDay && previous !== undefined && continuation(previous, m)));
  renderPending();
  renderHistoryState();
  if (stay) {
    scrollToBottom();
  }
  updateJump();
}

export function renderPending() {
  const name = state.current;
  const items = [];
  for (const [clientMsgId, p] of state.pending) {
    if (p.room === name) {
      const item = messageItem({ from: state.me, text: p.text, clientMsgId }, true);
      items.push(item);
    }
  }
  $('pending').replaceChildren(...items);
}

export function renderHistoryState() {
  const name = state.current;
  const text = $('history-state');
  const empty = $('empty');
  if (!name) {
    text.textContent = '';
    return;
  }
  const r = room(name);
  const nothingYet = r.messages.size === 0 && ![...state.pending.values()].some((p) => p.room === name);
  if (r.loading) {
    text.textContent = 'Loading older messages…';
  } else if (r.messages.size > 0 && !hasOlder(r) && r.messages.has(1)) {
    text.textContent = 'This is the beginning of ' + label(name) + '.';
  } else {
    text.textContent = '';
  }
  empty.textContent = nothingYet && !r.loading && r.complete && r.head === 0
      ? (name.startsWith('dm:') ? 'No messages yet. Say hello to ' + label(name).substring(1) + '!' : 'No messages here yet. Say hello!')
      : '';
}

function updateJump() {
  const name = state.current;
  $('jump').hidden = !name || isAtBottom() || unread(room(name)) === 0;
}

/** Whether m follows previous closely enough, from the same author, to be shown without its own header line. */
function continuation(previous, m) {
  return previous.from === m.from && Date.parse(m.ts) - Date.parse(previous.ts) < GROUP_WITHIN;
}

/** One message; a continuation keeps its author and time for screen readers and as a tooltip, not as a line. */
function messageItem(m, pending, continues) {
  const item = document.createElement('li');
  const mine = m.from === state.me;
  item.className = 'message' + (mine ? ' mine' : '') + (pending ? ' pending' : '') + (continues ? ' continues' : '');
  if (!pending) {
    item.dataset.seq = String(m.seq);
    item.dataset.day = dayKey(m.ts);
    item.dataset.from = m.from;
  }
  const meta = document.createElement('div');
  meta.className = 'meta';
  const from = document.createElement('span');
  from.className = 'from';
  from.textContent = mine ? 'You' : m.from;
  meta.append(from);
  if (pending) {
    const sending = document.createElement('span');
    sending.textContent = 'sending…';
    meta.append(sending);
  } else if (m.ts) {
    const date = new Date(m.ts);
    const time = document.createElement('time');
    time.dateTime = m.ts;
    time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    time.title = date.toLocaleString([], { dateStyle: 'full', timeStyle: 'medium' });
    meta.append(time);
    if (continues) {
      item.title = (mine ? 'You' : m.from) + ', ' + time.title;
    }
  }
  const text = document.createElement('p');
  text.className = 'text';
  text.textContent = m.text;
  item.append(meta, text);
  return item;
}

/** The local calendar day of a timestamp (ISO text or Date), e.g. "2026-12-1". */
function dayKey(ts) {
  const date = ts ? new Date(ts) : new Date();
  return date.getFullYear() + '-' + (date.getMonth() + 1) + '-' + date.getDate();
}

/** "Today", "Yesterday", or the date ("Monday, 30 November"; with the year when it is not this one). */
function daySeparator(ts) {
  const item = document.createElement('li');
  item.className = 'day';
  const date = ts ? new Date(ts) : new Date();
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  const time = document.createElement('time');
  time.dateTime = date.getFullYear() + '-' + String(date.getMonth() + 1).padStart(2, '0') + '-' + String(date.getDate()).padStart(2, '0');
  if (dayKey(date) === dayKey(today)) {
    time.textContent = 'Today';
  } else if (dayKey(date) === dayKey(yesterday)) {
    time.textContent = 'Yesterday';
  } else {
    const options = { weekday: 'long', day: 'numeric', month: 'long' };
    if (date.getFullYear() !== today.getFullYear()) {
      options.year = 'numeric';
    }
    time.textContent = date.toLocaleDateString([], options);
  }
  item.append(time);
  return item;
}

/** Tells a screen reader of a new message in the room shown (the list itself is not a live region). */
export function announce(text) {
  $('announce').textContent = text;
}

// ---- Drawer (narrow screens) ---------------------------------------------------------------

export function isNarrow() {
  return window.matchMedia('(max-width: 699.98px)').matches;
}

export function openDrawer() {
  $('chat').classList.add('drawer-open');
  $('menu').setAttribute('aria-expanded', 'true');
  const first = $('rooms').querySelector('button[aria-current="true"]') || $('rooms').querySelector('button') || $('join-room');
  first.focus();
}

export function closeDrawer(returnFocus) {
  if (!$('chat').classList.contains('drawer-open')) {
    return;
  }
  $('chat').classList.remove('drawer-open');
  $('menu').setAttribute('aria-expanded', 'false');
  if (returnFocus) {
    $('menu').focus();
  }
}
