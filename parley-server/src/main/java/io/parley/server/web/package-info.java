/**
 * HTTP plumbing shared by every API: the JSON error body and the handlers that make every failure,
 * from a bad body to an unknown path, answer with it.
 */
@NullMarked
package io.parley.server.web;

import org.jspecify.annotations.NullMarked;
