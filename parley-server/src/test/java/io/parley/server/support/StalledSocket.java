package io.parley.server.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A WebSocket client on a plain {@link Socket} that can stop reading: the slow client of the outbound
 * queue's tests. The handshake and the frames are written by hand (RFC 6455), so nothing reads on
 * its behalf: once the test stops calling {@link #next}, the bytes the server sends pile up in the
 * kernel's buffers, the server's writes stall, and the server's outbound queue starts to buffer.
 * Because it writes every byte itself, it is also the client of the WebSocket-layer abuse tests:
 * {@link #sendFrame(int, boolean, byte[])} sends frames that break RFC 6455 on purpose.
 *
 * <p>The receive buffer is set before connecting, so it is fixed (no autotuning, whatever {@code
 * net.ipv4.tcp_rmem} allows) and the client's TCP window stays small. The server's send buffer is
 * the server's business: left to the kernel it grows in steps up to {@code net.ipv4.tcp_wmem}'s
 * maximum while the server writes, so the bytes a stalled socket takes depend on the machine; the
 * slow-client tests fix it with {@code parley.connections.socket-send-buffer}.
 *
 * <p>Typical use: {@link #open}, {@link #join} each room (which reads its answer), then read nothing
 * while the test drives traffic; later {@link #next} reads on from where it stopped.
 *
 * <p>Not thread-safe: one test thread drives it. Reads block for at most the timeout given.
 */
public final class StalledSocket implements AutoCloseable {

    /** The receive buffer asked for by default: the kernel doubles it and keeps a minimum. */
    public static final int SMALL_RECEIVE_BUFFER = 4096;

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    private static final Pattern LAST_SEQ = Pattern.compile("\"lastSeq\":(\\d+)");

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();
    private boolean ended;
    private String head = "";
    private int pongs;
    /** Whether the message being read came compressed (RSV1 on its first frame; permessage-deflate). */
    private boolean compressedMessage;

    /**
     * One frame read from the server: a whole text message, the close frame, or the end of the
     * stream without a close frame ({@link #isEnd()}: the server, or the kernel, dropped the
     * connection; a client reports that as 1006).
     */
    public record Frame(int opcode, byte[] payload, boolean truncated) {

        static final int END = -1;

        public boolean isText() {
            return opcode == OP_TEXT;
        }

        public boolean isClose() {
            return opcode == OP_CLOSE;
        }

        public boolean isEnd() {
            return opcode == END;
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame: 1005 if it has none, 1006 for the end of the stream. */
        public int closeCode() {
            if (isEnd()) {
                return 1006;
            }
            if (!isClose()) {
                throw new IllegalStateException("not a close frame");
            }
            return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        @Override
        public String toString() {
            return isText() ? text() : isEnd() ? "END" + (truncated ? " (inside a frame)" : "") : "close " + closeCode();
        }
    }

    private StalledSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.out = socket.getOutputStream();
    }

    /** Opens {@code /ws} of {@code node} with the browser's {@code SESSION} cookie, the node's own Origin and a small receive buffer. */
    public static StalledSocket open(ParleyNode node, Browser browser) {
        return open(node, browser, SMALL_RECEIVE_BUFFER);
    }

    /** As {@link #open(ParleyNode, Browser)}, asking the kernel for a receive buffer of {@code receiveBuffer} bytes. */
    public static StalledSocket open(ParleyNode node, Browser browser, int receiveBuffer) {
        return open(node, browser, receiveBuffer, "");
    }

    /**
     * As {@link #open(ParleyNode, Browser)} with a normal receive buffer, adding {@code extraHeaders}
     * (whole lines, each ending in CRLF) to the upgrade request: for protocol tests that offer
     * extensions. {@link #head()} is the server's answer.
     */
    public static StalledSocket open(ParleyNode node, Browser browser, String extraHeaders) {
        return open(node, browser, 0, extraHeaders);
    }

    private static StalledSocket open(ParleyNode node, Browser browser, int receiveBuffer, String extraHeaders) {
        String session = browser.cookie("SESSION").orElseThrow(() -> new IllegalStateException("not logged in"));
        Socket socket = new Socket();
        try {
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer); // before connect: it sets the TCP window scale
            }
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", node.port()), 5_000);
            socket.setSoTimeout(10_000);
            StalledSocket stalled = new StalledSocket(socket);
            stalled.handshake(node, session, extraHeaders);
            Frame welcome = stalled.next(Duration.ofSeconds(10));
            if (!welcome.isText() || !welcome.text().contains("\"welcome\"")) {
                throw new IllegalStateException("expected welcome, got " + welcome);
            }
            return stalled;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private void handshake(ParleyNode node, String session, String extraHeaders) throws IOException {
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String request = "GET /ws HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + node.port() + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Origin: " + node.baseUrl() + "\r\n"
                + "Cookie: SESSION=" + session + "\r\n"
                + extraHeaders
                + "\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        head = readHead();
        String statusLine = head.substring(0, head.indexOf("\r\n"));
        if (!statusLine.startsWith("HTTP/1.1 101")) {
            throw new IllegalStateException("handshake refused: " + head);
        }
        String accept = Base64.getEncoder().encodeToString(sha1(key + GUID));
        if (!head.toLowerCase().contains("sec-websocket-accept: " + accept.toLowerCase())) {
            throw new IllegalStateException("bad Sec-WebSocket-Accept in " + head);
        }
    }

    /** Reads the response head, up to and including the empty line. */
    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the handshake: " + head);
            }
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends {@code join} for {@code room} and reads up to its {@code joined}; whatever follows stays
     * unread.
     *
     * @return the room's head when the subscription started ({@code lastSeq}): the messages after it
     * are this socket's
     */
    public long join(String room) {
        send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        String inRoom = "\"room\":\"" + room + "\"";
        Frame joined = readUntil(f -> f.isText() && f.text().contains("\"joined\"") && f.text().contains(inRoom),
                Duration.ofSeconds(10));
        Matcher lastSeq = LAST_SEQ.matcher(joined.text());
        if (!lastSeq.find()) {
            throw new IllegalStateException("no lastSeq in " + joined);
        }
        return Long.parseLong(lastSeq.group(1));
    }

    /** The server's answer to the upgrade request: status line and headers. */
    public String head() {
        return head;
    }

    /** Pong frames received so far (the answers to {@link #sendFrame pings}; {@link #next} skips them). */
    public int pongs() {
        return pongs;
    }

    /**
     * Sends one frame with its first byte as given (FIN, RSV1-3 and opcode, as in RFC 6455 5.2), masked
     * unless {@code masked} is false: for protocol tests that break the rules on purpose.
     */
    public StalledSocket sendFrame(int firstByte, boolean masked, byte[] payload) {
        return write(frame(firstByte, masked, payload));
    }

    /**
     * Sends {@code text} as one compressed text frame (RSV1, permessage-deflate of RFC 7692, without
     * context takeover): only after a handshake that negotiated the extension.
     */
    public StalledSocket sendCompressed(String text) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            do {
                n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
                compressed.write(chunk, 0, n);
            } while (n == chunk.length);
            byte[] bytes = compressed.toByteArray();
            // RFC 7692 7.2.1: the sender removes the 00 00 ff ff that ends a sync flush.
            return sendFrame(0x80 | 0x40 | OP_TEXT, true, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        } finally {
            deflater.end();
        }
    }

    /** Sends one masked text frame, as a client must. */
    public StalledSocket send(String text) {
        return sendFrame(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a close frame with {@code code}, and goes on not reading: the close handshake of a client that is gone. */
    public StalledSocket sendClose(int code) {
        return sendFrame(OP_CLOSE, new byte[] {(byte) (code >>> 8), (byte) code});
    }

    /** Resets the TCP connection (SO_LINGER 0, then close): the peer sees RST, not FIN. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        closeQuietly(socket);
    }

    private StalledSocket sendFrame(int opcode, byte[] payload) {
        return write(frame(0x80 | opcode, true, payload));
    }

    private static byte[] frame(int firstByte, boolean masked, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        int maskBit = masked ? 0x80 : 0;
        frame.write(firstByte);
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            frame.write(maskBit | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        if (!masked) {
            frame.writeBytes(payload);
            return frame.toByteArray();
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    private StalledSocket write(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * Reads the next whole text message, the close frame, or the end of the stream; waits at most
     * {@code timeout} for each read. Pings are skipped (a stalled client would not answer them either),
     * and so are pongs (counted, {@link #pongs()}).
     *
     * @throws UncheckedIOException if nothing arrives within the timeout
     */
    public Frame next(Duration timeout) {
        if (ended) {
            return new Frame(Frame.END, new byte[0], false);
        }
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            for (;;) {
                int b0 = in.read();
                if (b0 < 0) {
                    return end(message.size() > 0);
                }
                int opcode = b0 & 0x0f;
                boolean fin = (b0 & 0x80) != 0;
                int b1 = in.read();
                if (b1 < 0) {
                    return end(true);
                }
                long length = b1 & 0x7f;
                if (length == 126) {
                    length = readUnsigned(2);
                } else if (length == 127) {
                    length = readUnsigned(8);
                }
                if (length < 0) {
                    return end(true);
                }
                byte[] payload = in.readNBytes((int) length);
                if (payload.length < length) {
                    return end(true);
                }
                if (opcode == OP_TEXT || opcode == OP_CONTINUATION) {
                    if (opcode == OP_TEXT) {
                        compressedMessage = (b0 & 0x40) != 0;
                    }
                    message.writeBytes(payload);
                    if (fin) {
                        byte[] whole = message.toByteArray();
                        message.reset();
                        return new Frame(OP_TEXT, compressedMessage ? inflate(whole) : whole, false);
                    }
                } else if (opcode == OP_CLOSE) {
                    ended = true;
                    return new Frame(OP_CLOSE, payload, false);
                } else if (opcode == OP_PONG) {
                    pongs++;
                } else if (opcode != OP_PING) {
                    throw new IllegalStateException("unexpected opcode " + opcode);
                }
            }
        } catch (SocketTimeoutException e) {
            throw new UncheckedIOException("nothing from the server within " + timeout, e);
        } catch (IOException e) {
            // A reset after the server closed: the same as the end of the stream for the client.
            return end(true);
        }
    }

    /** Reads until a frame matches, or fails; returns the matching frame. */
    public Frame readUntil(Predicate<Frame> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("no matching frame within " + timeout);
            }
            Frame frame = next(Duration.ofNanos(left));
            if (match.test(frame)) {
                return frame;
            }
            if (frame.isClose() || frame.isEnd()) {
                throw new IllegalStateException("connection ended (" + frame + ") before a matching frame");
            }
        }
    }

    /** Drops the TCP connection without a close handshake. */
    @Override
    public void close() {
        closeQuietly(socket);
    }

    private Frame end(boolean truncated) {
        ended = true;
        message.reset();
        return new Frame(Frame.END, new byte[0], truncated);
    }

    private static byte[] inflate(byte[] compressed) {
        Inflater inflater = new Inflater(true);
        try {
            byte[] tail = {0, 0, (byte) 0xff, (byte) 0xff};
            byte[] input = java.util.Arrays.copyOf(compressed, compressed.length + 4);
            System.arraycopy(tail, 0, input, compressed.length, 4);
            inflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = inflater.inflate(chunk)) > 0) {
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalStateException("the server sent a compressed frame that does not inflate", e);
        } finally {
            inflater.end();
        }
    }

    private long readUnsigned(int bytes) throws IOException {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            int b = in.read();
            if (b < 0) {
                return -1;
            }
            value = (value << 8) | b;
        }
        return value;
    }

    private static byte[] sha1(String text) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
