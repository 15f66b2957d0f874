package io.parley.bench.load;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Reads Redis's {@code used_memory} ({@code INFO memory}) over one short-lived connection, in plain
 * RESP: what a cluster run's connections cost outside the nodes (registry sets, heartbeats). It is
 * the whole instance's figure, so another client of the same Redis moves it too. Blocking; called
 * from the scenario's thread.
 */
final class RedisInfo {

    private RedisInfo() {}

    /** {@code used_memory} in bytes of the Redis at {@code redis} ({@code redis://host:port}), or -1 if it does not answer. */
    static long usedMemory(URI redis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(redis.getHost(), redis.getPort() < 0 ? 6379 : redis.getPort()), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String header = line(in);
            if (!header.startsWith("$")) {
                return -1; // an error (-NOAUTH ...) or not Redis
            }
            byte[] body = new byte[Integer.parseInt(header.substring(1))];
            in.readFully(body);
            for (String line : new String(body, StandardCharsets.UTF_8).split("\r\n")) {
                if (line.startsWith("used_memory:")) {
                    return Long.parseLong(line.substring("used_memory:".length()).trim());
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String line(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
