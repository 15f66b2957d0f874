package io.parley.server.connection;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.ArrayList;
import java.util.List;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import org.jspecify.annotations.Nullable;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;

/**
 * A JSR-356 session as a container would hand it to Spring, built from JDK proxies (the interfaces
 * are large; the sinks use four methods). Records {@code getAsyncRemote().sendText(String,
 * SendHandler)} calls, blocking sends, and closes, with the thread of each close. Thread-safe.
 */
final class NativeSessionFake {

    record Send(String text, SendHandler handler) {
    }

    private final List<Send> asyncSends = new ArrayList<>();
    private final List<String> blockingSends = new ArrayList<>();
    private final List<CloseReason> closes = new ArrayList<>();
    private final List<String> threads = new ArrayList<>();
    private volatile boolean open = true;
    private volatile @Nullable RuntimeException sendFailure;
    /** The session's user properties, as a container keeps them (Tomcat reads its send timeouts here). */
    final Map<String, Object> userProperties = new ConcurrentHashMap<>();
    final Session session;

    NativeSessionFake() {
        RemoteEndpoint.Async async = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendText") && args.length == 2 && args[1] instanceof SendHandler handler) {
                        RuntimeException failure = sendFailure;
                        if (failure != null) {
                            throw failure;
                        }
                        synchronized (this) {
                            asyncSends.add(new Send((String) args[0], handler));
                        }
                        return null;
                    }
                    throw new AssertionError("the code under test called " + method + ", which this fake does not model");
                });
        RemoteEndpoint.Basic basic = (RemoteEndpoint.Basic) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Basic.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendText")) {
                        synchronized (this) {
                            blockingSends.add(args[0] + " on " + Thread.currentThread().getName());
                        }
                        return null;
                    }
                    throw new AssertionError("the code under test called " + method + ", which this fake does not model");
                });
        this.session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getAsyncRemote" -> async;
                    case "getBasicRemote" -> basic;
                    case "isOpen" -> open;
                    case "close" -> {
                        synchronized (this) {
                            closes.add((CloseReason) args[0]);
                            threads.add(Thread.currentThread().getName());
                        }
                        open = false;
                        yield null;
                    }
                    case "getUserProperties" -> userProperties;
                    case "getId" -> "native-1";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "NativeSessionFake";
                    default -> null; // getRequestURI, getNegotiatedSubprotocol, getUserPrincipal, ...
                });
    }

    /** A Spring session over this native session, as Spring's handler adapter creates it. */
    StandardWebSocketSession springSession() {
        StandardWebSocketSession spring = new StandardWebSocketSession(null, null, null, null);
        spring.initializeNativeSession(session);
        return spring;
    }

    void failSendsWith(RuntimeException failure) {
        sendFailure = failure;
    }

    synchronized List<Send> asyncSends() {
        return List.copyOf(asyncSends);
    }

    synchronized List<String> blockingSends() {
        return List.copyOf(blockingSends);
    }

    synchronized List<CloseReason> closes() {
        return List.copyOf(closes);
    }

    synchronized List<String> closingThreads() {
        return List.copyOf(threads);
    }
}
