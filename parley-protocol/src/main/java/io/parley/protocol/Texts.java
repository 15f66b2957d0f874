package io.parley.protocol;

import org.jspecify.annotations.Nullable;

/**
 * The rules for text that a client puts in a frame, beyond what JSON itself allows. JSON lets a
 * string carry any code unit (as a six-char escape); these rules keep out what no chat message
 * needs and what breaks or fools whoever displays, logs or stores it: control characters (a NUL
 * that PostgreSQL refuses, an ESC that rewrites an operator's terminal, a C1 control), and lone
 * UTF-16 surrogates (not encodable as UTF-8: the database and every recipient would see a
 * replacement character instead). Stateless and thread-safe.
 */
public final class Texts {

    private Texts() {
    }

    /**
     * Throws {@code bad_request} unless {@code text} is a valid message text: no control character
     * but tab, line feed and carriage return, no lone surrogate, and not only whitespace (spaces,
     * line breaks, and invisible characters such as the zero-width space count as whitespace).
     */
    public static void checkMessage(String text) {
        String problem = problem(text, true);
        if (problem != null) {
            throw new BadFrame("text must not contain " + problem);
        }
        if (isBlank(text)) {
            throw new BadFrame("text must not be only whitespace");
        }
    }

    /** Throws {@code bad_request} naming {@code field} unless {@code value} has no control character and no lone surrogate. */
    public static void checkPrintable(String field, String value) {
        String problem = problem(value, false);
        if (problem != null) {
            throw new BadFrame(field + " must not contain " + problem);
        }
    }

    /** Whether every code point of {@code text} is whitespace or invisible (true for the empty string). */
    public static boolean isBlank(String text) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && !isInvisible(c)) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }

    /** What is wrong with {@code text}, or null: the first control character or lone surrogate. */
    private static @Nullable String problem(String text, boolean lineBreaksAllowed) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20) {
                if (lineBreaksAllowed && (c == '\t' || c == '\n' || c == '\r')) {
                    continue;
                }
                return "control characters";
            }
            if (c >= 0x7f && c <= 0x9f) {
                return "control characters";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "unpaired surrogates";
            }
            if (Character.isLowSurrogate(c)) {
                return "unpaired surrogates";
            }
        }
        return null;
    }

    /** Characters that print as nothing but that Java does not call whitespace. */
    private static boolean isInvisible(int c) {
        return c == 0x200b || c == 0x200c || c == 0x200d || c == 0x2060 || c == 0xfeff || c == 0x180e
                || c == 0x00ad || c == 0x034f || c == 0x115f || c == 0x1160 || c == 0x3164 || c == 0xffa0;
    }
}
