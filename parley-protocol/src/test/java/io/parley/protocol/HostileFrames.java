package io.parley.protocol;

import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A generator of hostile client frames for fuzz tests: valid frames mutated byte by byte, random JSON
 * documents shaped like frames (known and unknown types, every field with values of every JSON type,
 * deep nesting, huge numbers, long strings, control characters, lone surrogates, duplicate fields),
 * and plain garbage. Deterministic for a given {@link Random}: a failure is reproduced from its seed.
 * Not thread-safe.
 */
public final class HostileFrames {

    private static final List<String> TYPES = List.of("join", "leave", "send", "history", "typing", "ping", "auth",
            "Send", "JOIN", "", "dance", "message", "error", "welcome", "__proto__", "<script>", "send\u0000", "ping ");
    private static final List<String> FIELDS = List.of("type", "room", "since", "clientMsgId", "text", "before", "limit",
            "id", "token", "from", "user", "@class", "", "type ", "__proto__");
    private static final String TRICKY = "\u0000\u0001\u001b\u007f\u0085\u009f\t\n\r \u00a0\u200b\u2028\u202e\ufeff\ufffd\ud800\udc00"
            + "\ud83d\ude00\"\\/{}[],:<>&'é漢";

    private final Random random;

    public HostileFrames(Random random) {
        this.random = random;
    }

    /** One hostile frame: a mutated valid one, a random frame-shaped document, or garbage. */
    public String next() {
        int kind = random.nextInt(10);
        if (kind < 4) {
            return mutate(validFrame());
        }
        if (kind < 9) {
            return randomObject(0);
        }
        return randomString(random.nextInt(200), true);
    }

    /** A valid frame of a random type, as a client would send it. */
    public String validFrame() {
        String room = random.nextBoolean() ? "general" : "dm:alice:bob";
        return switch (random.nextInt(7)) {
            case 0 -> "{\"type\":\"join\",\"room\":\"" + room + "\",\"since\":" + random.nextInt(100) + "}";
            case 1 -> "{\"type\":\"leave\",\"room\":\"" + room + "\"}";
            case 2 -> "{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"hello there\"}";
            case 3 -> "{\"type\":\"history\",\"room\":\"" + room + "\",\"before\":58,\"limit\":50}";
            case 4 -> "{\"type\":\"typing\",\"room\":\"" + room + "\"}";
            case 5 -> "{\"type\":\"auth\",\"token\":\"eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln\"}";
            default -> "{\"type\":\"ping\",\"id\":\"p" + random.nextInt(1000) + "\"}";
        };
    }

    private String mutate(String frame) {
        StringBuilder text = new StringBuilder(frame);
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations && text.length() > 0; i++) {
            int at = random.nextInt(text.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> text.delete(at, Math.min(text.length(), at + 1 + random.nextInt(8)));
                case 1 -> text.insert(at, randomString(1 + random.nextInt(6), true));
                case 2 -> text.insert(at, text.substring(at, Math.min(text.length(), at + random.nextInt(20))));
                case 3 -> text.setLength(at);
                case 4 -> text.insert(Math.min(at, text.length()), ",\"" + pick(FIELDS) + "\":" + randomValue(0));
                default -> {
                    if (at < text.length()) {
                        text.setCharAt(at, TRICKY.charAt(random.nextInt(TRICKY.length())));
                    }
                }
            }
        }
        return text.toString();
    }

    private String randomObject(int depth) {
        StringBuilder json = new StringBuilder("{");
        if (depth == 0 && random.nextInt(10) > 0) {
            json.append("\"type\":").append(random.nextInt(8) == 0 ? randomValue(depth + 1) : quote(pick(TYPES)));
        }
        int fields = random.nextInt(depth == 0 ? 6 : 3);
        for (int i = 0; i < fields; i++) {
            if (json.length() > 1) {
                json.append(',');
            }
            String name = random.nextInt(6) == 0 ? randomString(random.nextInt(80), false) : pick(FIELDS);
            json.append(quote(name)).append(':').append(randomValue(depth + 1));
        }
        return json.append('}').toString();
    }

    private String randomValue(int depth) {
        return switch (random.nextInt(depth > 20 ? 8 : 11)) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> Long.toString(random.nextLong());
            case 3 -> "9".repeat(1 + random.nextInt(40));
            case 4 -> random.nextBoolean() ? "1.5e400" : "-0.000001";
            case 5 -> quote(UUID.randomUUID().toString());
            case 6 -> quote(random.nextBoolean() ? "general" : "dm:" + randomString(4, false) + ":bob");
            case 7 -> quote(randomString(random.nextInt(random.nextInt(20) == 0 ? 5000 : 40), false));
            case 8 -> "[" + randomValue(depth + 1) + (random.nextBoolean() ? "," + randomValue(depth + 1) : "") + "]";
            case 9 -> "[".repeat(1 + random.nextInt(40)) + "]".repeat(random.nextInt(41));
            default -> randomObject(depth + 1);
        };
    }

    /** Random chars, tricky ones often; {@code raw} may also produce JSON syntax. */
    private String randomString(int length, boolean raw) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int choice = random.nextInt(10);
            char c;
            if (choice < 3) {
                c = TRICKY.charAt(random.nextInt(TRICKY.length()));
            } else if (choice < 8) {
                c = (char) (' ' + random.nextInt(95));
            } else {
                c = (char) random.nextInt(0x10000);
            }
            if (!raw && (c == '"' || c == '\\')) {
                text.append('\\').append(c);
            } else if (!raw && c < 0x20 && random.nextBoolean()) {
                text.append(String.format("\\u%04x", (int) c));
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    private static String quote(String content) {
        return "\"" + content + "\"";
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
