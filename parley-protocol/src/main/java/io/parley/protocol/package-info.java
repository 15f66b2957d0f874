/**
 * Parley wire protocol v1: the frames a client and a server exchange over one WebSocket, the JSON
 * codec, and the catalogue of error and close codes. Plain Java and Jackson; no Spring, so the
 * server, the Java client and the load tool share exactly one definition. See docs/protocol.md.
 */
@NullMarked
package io.parley.protocol;

import org.jspecify.annotations.NullMarked;
