package io.parley.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A WebSocket server of a hundred lines over a plain {@link ServerSocket}, to test the client's
 * transport against real framing: it can fragment messages, refuse handshakes with any status,
 * close with any code, or drop the socket. RFC 6455, text and close frames only, no extensions.
 */
final class MiniWebSocketServer implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    private final BlockingQueue<Peer> peers = new LinkedBlockingQueue<>();
    private volatile int refuseStatus;
    private volatile @Nullable String refuseRetryAfter;

    MiniWebSocketServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "mini-ws-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Refuses every following handshake with {@code status} (0: accept again). */
    void refuse(int status, @Nullable String retryAfter) {
        refuseRetryAfter = retryAfter;
        refuseStatus = status;
    }

    /** The next accepted connection. */
    Peer nextPeer() throws InterruptedException {
        Peer peer = peers.poll(5, TimeUnit.SECONDS);
        if (peer == null) {
            throw new AssertionError("no WebSocket connection within 5 s");
        }
        return peer;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Peer peer : peers) {
            peer.kill();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                handshake(socket);
            } catch (IOException e) {
                // closed, or a client that went away mid-handshake
            }
        }
    }

    private void handshake(Socket socket) throws IOException {
        InputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        Map<String, String> headers = readHead(in);
        int status = refuseStatus;
        if (status != 0) {
            String retryAfter = refuseRetryAfter;
            out.write(("HTTP/1.1 " + status + " Refused\r\nContent-Length: 0\r\nConnection: close\r\n"
                    + (retryAfter == null ? "" : "Retry-After: " + retryAfter + "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.close();
            return;
        }
        String accept = Base64.getEncoder().encodeToString(sha1(headers.get("sec-websocket-key") + GUID));
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        peers.add(new Peer(socket, in, out, headers));
    }

    private static Map<String, String> readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("handshake cut short");
            }
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                Map<String, String> headers = new HashMap<>();
                String[] lines = text.split("\r\n");
                headers.put(":path", lines[0].split(" ")[1]);
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
                return headers;
            }
        }
    }

    private static byte[] sha1(String text) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.ISO_8859_1));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A frame read from the client: its opcode and unmasked payload. */
    record Frame(boolean fin, int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return ByteBuffer.wrap(payload).getShort() & 0xffff;
        }
    }

    /** One accepted connection, driven by the test as the server. */
    static final class Peer {

        final Map<String, String> headers;
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Peer(Socket socket, InputStream in, OutputStream out, Map<String, String> headers) {
            this.socket = socket;
            this.in = in;
            this.out = out;
            this.headers = headers;
        }

        void sendText(String text) {
            write(true, 0x1, text.getBytes(StandardCharsets.UTF_8));
        }

        /** One text message split into frames: a text frame, then continuation frames. */
        void sendFragmented(String... parts) {
            for (int i = 0; i < parts.length; i++) {
                write(i == parts.length - 1, i == 0 ? 0x1 : 0x0, parts[i].getBytes(StandardCharsets.UTF_8));
            }
        }

        void sendClose(int code, String reason) {
            byte[] text = reason.getBytes(StandardCharsets.UTF_8);
            write(true, 0x8, ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text).array());
        }

        /** Drops the TCP connection without a close frame. */
        void kill() {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }

        /** The next whole text message from the client, skipping control frames; fails on a close frame. */
        String readText() throws IOException {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                Frame frame = readFrame();
                if (frame.opcode() == 0x8) {
                    throw new EOFException("close frame " + frame.closeCode());
                }
                if (frame.opcode() == 0x1 || frame.opcode() == 0x0) {
                    message.write(frame.payload());
                    if (frame.fin()) {
                        return message.toString(StandardCharsets.UTF_8);
                    }
                }
            }
        }

        Frame readFrame() throws IOException {
            socket.setSoTimeout(5_000);
            int b0 = readByte();
            int b1 = readByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (readByte() << 8) | readByte();
            } else if (length == 127) {
                length = ByteBuffer.wrap(in.readNBytes(8)).getLong();
            }
            byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) length);
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0f, payload);
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed");
            }
            return b;
        }

        private synchronized void write(boolean fin, int opcode, byte[] payload) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write((fin ? 0x80 : 0) | opcode);
            if (payload.length < 126) {
                frame.write(payload.length);
            } else if (payload.length < 65_536) {
                frame.write(126);
                frame.write(payload.length >> 8);
                frame.write(payload.length & 0xff);
            } else {
                frame.write(127);
                frame.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
            }
            frame.writeBytes(payload);
            try {
                out.write(frame.toByteArray());
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
