/** Standalone mode: the in-process bus, registry and presence. */
@NullMarked
package io.parley.server.cluster.local;

import org.jspecify.annotations.NullMarked;
