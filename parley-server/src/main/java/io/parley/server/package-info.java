/** The Parley server application. */
@NullMarked
package io.parley.server;

import org.jspecify.annotations.NullMarked;
