/**
 * WebSocket connections: the handler, the per-socket outbound queue, heartbeats and admission. Knows sockets, not rooms: each inbound frame goes to a {@code FrameHandler} that {@code chat} implements.
 */
@NullMarked
package io.parley.server.connection;

import org.jspecify.annotations.NullMarked;
