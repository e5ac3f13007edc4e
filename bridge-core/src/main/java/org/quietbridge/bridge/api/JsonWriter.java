package org.quietbridge.bridge.api;

import java.nio.charset.StandardCharsets;

/**
 * Writes one JSON text (RFC 8259) into a string, checking as it goes that the calls make a
 * well-formed document: a name only inside an object, a value only where one may stand.
 *
 * <p>Strings are escaped so the text is valid JSON and also safe to embed in HTML or a
 * {@code <script>}: quotes, backslashes and control characters as the RFC requires, plus
 * {@code <}, {@code >}, {@code &}, U+2028, U+2029 and unpaired surrogates as {@code \}{@code uXXXX}.
 * Non-finite doubles, which JSON cannot express, are written as {@code null}.
 */
final class JsonWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int MAX_DEPTH = 32;

    private final StringBuilder out = new StringBuilder(256);
    /** Per open container: true for an object. */
    private final boolean[] isObject = new boolean[MAX_DEPTH];
    /** Per open container: whether it has a member yet (a comma goes before the next). */
    private final boolean[] hasMember = new boolean[MAX_DEPTH];
    private int depth;
    private boolean nameWritten;
    private boolean done;

    JsonWriter beginObject() {
        beforeValue();
        open(true);
        out.append('{');
        return this;
    }

    JsonWriter endObject() {
        close(true);
        out.append('}');
        return this;
    }

    JsonWriter beginArray() {
        beforeValue();
        open(false);
        out.append('[');
        return this;
    }

    JsonWriter endArray() {
        close(false);
        out.append(']');
        return this;
    }

    /** The name of the next member of the current object. */
    JsonWriter name(String name) {
        if (depth == 0 || !isObject[depth - 1] || nameWritten) {
            throw new IllegalStateException("a name belongs directly inside an object, before its value");
        }
        if (hasMember[depth - 1]) {
            out.append(',');
        }
        hasMember[depth - 1] = true;
        string(name);
        out.append(':');
        nameWritten = true;
        return this;
    }

    JsonWriter value(String s) {
        beforeValue();
        if (s == null) {
            out.append("null");
        } else {
            string(s);
        }
        return afterScalar();
    }

    JsonWriter value(long n) {
        beforeValue();
        out.append(n);
        return afterScalar();
    }

    JsonWriter value(double d) {
        beforeValue();
        if (Double.isFinite(d)) {
            // Double.toString gives "1.0E10" for large values: valid JSON, read exactly back.
            out.append(d);
        } else {
            out.append("null");
        }
        return afterScalar();
    }

    JsonWriter value(boolean b) {
        beforeValue();
        out.append(b);
        return afterScalar();
    }

    JsonWriter nullValue() {
        beforeValue();
        out.append("null");
        return afterScalar();
    }

    /** Shorthands for a member: {@code name(n).value(v)}. */
    JsonWriter member(String name, String value) {
        return name(name).value(value);
    }

    JsonWriter member(String name, long value) {
        return name(name).value(value);
    }

    JsonWriter member(String name, double value) {
        return name(name).value(value);
    }

    JsonWriter member(String name, boolean value) {
        return name(name).value(value);
    }

    /** The finished document. */
    String text() {
        if (!done) {
            throw new IllegalStateException("the JSON document is not complete");
        }
        return out.toString();
    }

    byte[] utf8() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    private void beforeValue() {
        if (done) {
            throw new IllegalStateException("a JSON text holds one value");
        }
        if (depth == 0) {
            return;
        }
        if (isObject[depth - 1]) {
            if (!nameWritten) {
                throw new IllegalStateException("a value inside an object needs a name first");
            }
            nameWritten = false;
        } else {
            if (hasMember[depth - 1]) {
                out.append(',');
            }
            hasMember[depth - 1] = true;
        }
    }

    /** A scalar at the top level is the whole document. */
    private JsonWriter afterScalar() {
        if (depth == 0) {
            done = true;
        }
        return this;
    }

    private void open(boolean object) {
        if (depth == MAX_DEPTH) {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
        }
        isObject[depth] = object;
        hasMember[depth] = false;
        depth++;
    }

    private void close(boolean object) {
        if (depth == 0 || isObject[depth - 1] != object || nameWritten) {
            throw new IllegalStateException("no open " + (object ? "object" : "array") + " to close here");
        }
        depth--;
        if (depth == 0) {
            done = true;
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        unicodeEscape(c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        // Unpaired: UTF-8 cannot carry it, the escape can.
                        unicodeEscape(c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private void unicodeEscape(char c) {
        out.append("\\u").append(HEX[c >>> 12]).append(HEX[(c >>> 8) & 0xF]).append(HEX[(c >>> 4) & 0xF])
                .append(HEX[c & 0xF]);
    }
}
