package io.parley.server.connection;

import java.security.Principal;

import io.parley.protocol.BadFrame;
import io.parley.protocol.ClientFrame;

/**
 * Keeps a connection's credentials in force after the handshake: implemented by {@code token} (an
 * access token expires; the client renews it with an {@code auth} frame), so that {@code connection}
 * knows nothing of tokens. A cookie connection is bound to its HTTP session instead (see
 * {@link HttpSessionEnded}) and is left alone.
 *
 * <p>{@link #onOpen} and {@link #onAuth} are called on the container's thread for that socket, never
 * concurrently for one connection; {@link #onClose} may run on another thread. Implementations close
 * a connection only through {@link Connection#close}.
 */
public interface CredentialWatch {

    /** No credentials to watch: an {@code auth} frame is a bad request. */
    CredentialWatch NONE = new CredentialWatch() {
        @Override
        public void onOpen(Connection connection, Principal principal) {
        }

        @Override
        public void onAuth(Connection connection, ClientFrame.Auth auth) {
            throw new BadFrame("this connection was not opened with a token");
        }

        @Override
        public void onClose(Connection connection) {
        }
    };

    /** The connection is open, authenticated as {@code principal}; before any frame is handled. */
    void onOpen(Connection connection, Principal principal);

    /** An {@code auth} frame; a {@link BadFrame} thrown here is answered with an {@code error} frame. */
    void onAuth(Connection connection, ClientFrame.Auth auth);

    /** The connection closed. Called once. */
    void onClose(Connection connection);
}
