package io.parley.server.connection;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Hides the client's {@code Sec-WebSocket-Extensions} offer from the handshake on {@code /ws}, so
 * that no extension is negotiated: {@code permessage-deflate} stays off unless {@code
 * parley.websocket.permessage-deflate} is set (then this filter is not installed).
 *
 * <p>Why a filter: Tomcat negotiates its built-in extensions itself, whatever Spring's handshake
 * handler selected (its {@code UpgradeUtil} offers {@code Constants.INSTALLED_EXTENSIONS}, which
 * holds {@code permessage-deflate}, to the endpoint's configurator, and Spring's configurator accepts
 * whatever was requested). The only switch Tomcat has is a JVM-wide system property read once. A
 * request without the offer gets no extension from either.
 *
 * <p>Why off: a compressed frame costs the server an inflater per socket (about 64 KB of native
 * memory while it lives), CPU to inflate every frame, and a window for compression-ratio attacks;
 * chat frames are a few hundred bytes and gain little.
 */
final class ExtensionOfferFilter extends OncePerRequestFilter {

    static final String EXTENSIONS = "Sec-WebSocket-Extensions";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request.getHeader(EXTENSIONS) == null ? request : new WithoutOffer(request), response);
    }

    private static final class WithoutOffer extends HttpServletRequestWrapper {

        WithoutOffer(HttpServletRequest request) {
            super(request);
        }

        @Override
        public @Nullable String getHeader(String name) {
            return EXTENSIONS.equalsIgnoreCase(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return EXTENSIONS.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = Collections.list(super.getHeaderNames());
            names.removeIf(EXTENSIONS::equalsIgnoreCase);
            return Collections.enumeration(names);
        }
    }
}
