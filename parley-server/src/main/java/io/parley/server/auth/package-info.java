/**
 * Accounts, login, Spring Security and the HTTP session: in memory in standalone mode, in Redis as JSON in cluster mode.
 */
@NullMarked
package io.parley.server.auth;

import org.jspecify.annotations.NullMarked;
