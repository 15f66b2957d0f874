/**
 * The Java client of Parley: {@link io.parley.client.ParleyHttp} logs in over HTTP (cookies and
 * CSRF), {@link io.parley.client.ParleyClient} holds one WebSocket and keeps it alive: it
 * reconnects with exponential backoff and full jitter, resumes every room from the last sequence
 * it delivered, de-duplicates and orders messages per room, resends un-acknowledged sends with
 * their original {@code clientMsgId}, and fills {@code gap}s from history. JDK only
 * ({@code java.net.http}) plus {@code parley-protocol}; used by the server's integration tests and
 * by the load tool. See this module's README for the semantics in one page.
 */
@NullMarked
package io.parley.client;

import org.jspecify.annotations.NullMarked;
