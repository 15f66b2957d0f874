/**
 * WebSocket connections: the handler, the per-socket outbound queue, heartbeats and admission. Knows sockets, not rooms: each inbound frame goes to the {@code ConnectionHandler} that {@code chat}'s {@code FrameHandler} created for the connection at open.
 */
@NullMarked
package io.parley.server.connection;

import org.jspecify.annotations.NullMarked;
