/**
 * The message log: durable, per-room gapless sequence numbers, idempotent appends, replay and history pages.
 */
@NullMarked
package io.parley.server.history;

import org.jspecify.annotations.NullMarked;
