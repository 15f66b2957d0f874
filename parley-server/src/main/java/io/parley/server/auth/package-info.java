/**
 * Accounts, login, Spring Security and the HTTP session: in the embedded database in standalone mode, in Redis in cluster mode, as JSON in both.
 */
@NullMarked
package io.parley.server.auth;

import org.jspecify.annotations.NullMarked;
