// HTTP for the chat page: JSON requests with the CSRF token, and the server's errors in plain words.
'use strict';

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

/** A JSON request; a failure throws an Error with status, code (the server's "error") and retryAfter (s). */
export async function api(method, url, body) {
  const headers = { 'Accept': 'application/json' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-XSRF-TOKEN'] = await csrfToken();
  }
  const response = await fetch(url, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null; // a proxy's HTML error page
  }
  if (!response.ok) {
    const error = new Error((data && data.message) || response.statusText);
    error.status = response.status;
    error.code = data && data.error;
    error.retryAfter = Number(response.headers.get('Retry-After')) || 0;
    throw error;
  }
  return data;
}

export const USERNAME_RULE = /^[a-z0-9_]{3,32}$/;
export const ROOM_RULE = /^[a-z0-9_-]{1,64}$/;
export const USERNAME_SENTENCE = 'A user name has 3 to 32 characters: lowercase letters (a to z), digits and _ (underscore).';
export const ROOM_SENTENCE = 'A room name has 1 to 64 characters: lowercase letters (a to z), digits, - and _.';

/** What went wrong with a login or sign-up, as a sentence for the person (never the server's regex). */
export function authErrorSentence(error, signup) {
  if (!error.status) {
    return 'The server cannot be reached. Check your connection and try again.';
  }
  const message = String(error.message || '').toLowerCase();
  switch (error.code) {
    case 'username_taken':
      return 'That user name is taken. Choose another one, or log in if it is yours.';
    case 'bad_credentials':
      return 'Wrong user name or password.';
    case 'rate_limited':
      return 'Too many attempts from this device. Wait ' + (error.retryAfter ? error.retryAfter + ' seconds' : 'a minute') + ', then try again.';
    case 'bad_request':
      if (message.includes('password')) {
        return passwordSentence(message);
      }
      if (message.includes('username')) {
        return message.includes('required') ? 'Enter a user name.' : USERNAME_SENTENCE;
      }
      break;
    default:
      break;
  }
  if (error.status >= 500) {
    return 'Something went wrong on the server. Try again in a moment.';
  }
  return signup ? 'Signing up did not work. Check the rules below each field and try again.' : 'Logging in did not work. Try again.';
}

function passwordSentence(message) {
  if (message.includes('required')) {
    return 'Enter a password.';
  }
  if (message.includes('must not be the username')) {
    return 'Your password cannot be your user name.';
  }
  if (message.includes('too common')) {
    return 'That password is too common: it is among the first ones attackers try. A few random words work well.';
  }
  if (message.includes('bytes')) {
    return 'That password is too long: at most 72 characters, fewer with accents or emoji.';
  }
  const least = /at least (\d+)/.exec(message);
  if (least) {
    return 'Your password needs at least ' + least[1] + ' characters.';
  }
  return 'A password has 8 to 128 characters.';
}
