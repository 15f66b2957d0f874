/**
 * How nodes reach each other: the {@code Bus} (room and node channels) and the {@code Registry} (who is connected where). In-process implementations for standalone mode, Redis ones for cluster mode.
 */
@NullMarked
package io.parley.server.cluster;

import org.jspecify.annotations.NullMarked;
