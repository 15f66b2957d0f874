/**
 * Rooms, membership, commands and presence: the protocol's meaning. Uses {@code history} and {@code cluster} through their interfaces.
 */
@NullMarked
package io.parley.server.chat;

import org.jspecify.annotations.NullMarked;
