/**
 * Token authentication for clients without a cookie jar: signing keys and the JWKS endpoint, access
 * tokens (ES256 JWTs, checked by Spring Security's resource server with Nimbus JOSE + JWT), refresh
 * tokens (opaque, stored hashed, rotated, reuse-detected) and the bearer WebSocket handshake.
 */
@NullMarked
package io.parley.server.token;

import org.jspecify.annotations.NullMarked;
