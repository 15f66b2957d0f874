/**
 * Operations: metrics, health, admin endpoints.
 */
@NullMarked
package io.parley.server.ops;

import org.jspecify.annotations.NullMarked;
