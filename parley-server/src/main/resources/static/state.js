// What the chat page knows: its user, its socket, and per room the messages it holds, the newest
// sequence it knows of (head) and how far the user has read (readSeq). Unread = head - readSeq, as the
// server counts it: the user's own messages move readSeq, so they are never unread.
'use strict';

export const state = {
  me: null,
  socket: null,
  wanted: false,               // false after logout: do not reconnect
  attempt: 0,                  // failed connection attempts since the last welcome
  everConnected: false,
  node: null,                  // the node this page's socket is on
  current: null,               // the room shown
  rooms: new Map(),            // name -> Room
  pending: new Map(),          // clientMsgId -> { room, text }: sent, not yet seen back
  typing: new Map(),           // room -> Map(user -> timeout)
};

export function room(name) {
  let r = state.rooms.get(name);
  if (!r) {
    r = {
      name,
      head: 0,                 // the newest sequence known
      readSeq: 0,              // read up to here (what the page shows)
      serverRead: 0,           // what the server has stored, as far as this page knows
      messages: new Map(),     // seq -> message
      online: [],
      loading: false,          // a page of older messages is on its way
      complete: false,         // nothing older to load
      retryAt: 0,              // after a failed load, not before then
      readTimer: null,
    };
    state.rooms.set(name, r);
  }
  return r;
}

export function unread(r) {
  return Math.max(0, r.head - r.readSeq);
}

export function oldestSeq(r) {
  let oldest = null;
  for (const seq of r.messages.keys()) {
    if (oldest === null || seq < oldest) {
      oldest = seq;
    }
  }
  return oldest;
}

/** Whether older messages than those held exist and may be fetched now. */
export function hasOlder(r) {
  if (r.complete || Date.now() < r.retryAt) {
    return false;
  }
  const oldest = oldestSeq(r);
  return oldest === null ? r.head > 0 : oldest > 1;
}

/** Room names in the order of the room list: public rooms, then direct conversations, each by name. */
export function sortedRooms() {
  return [...state.rooms.keys()].sort((a, b) => (a.startsWith('dm:') - b.startsWith('dm:')) || label(a).localeCompare(label(b)));
}

/** A direct room shows as @other, a public room as #name. */
export function label(name) {
  if (name.startsWith('dm:')) {
    return '@' + (name.substring(3).split(':').find((u) => u !== state.me) || state.me);
  }
  return '#' + name;
}

/** Spaces, line breaks and invisible characters only: the server refuses such a message. */
export function isBlank(text) {
  return /^[\s\u180e\u200b-\u200d\u2060\ufeff]*$/u.test(text);
}
