package org.quietbridge.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * One node of a {@link YamlDocument}, with the position it was written at. Every typed getter
 * throws a {@link ConfigException} at this node's position when the node does not have the
 * expected shape, so configuration loaders never report an error without its place.
 *
 * <p>Scalars are kept as the text the author wrote; loaders parse them with their own rules
 * (this avoids YAML 1.1 surprises such as {@code 0806} read as octal). Only the empty value
 * ({@code key:} with nothing after it, {@code ~}, {@code null}) is told apart, as
 * {@link Kind#NULL}. Immutable once the document is built.
 *
 * <p>The {@code what} argument of the getters is how the message names the node, usually the
 * quoted key: {@code node.expectText("'name'")} fails with
 * {@code 'name' must be a single value, not a list}.
 */
public final class ConfigNode {
    /** The shape of a node. */
    public enum Kind {
        MAPPING("a mapping"),
        SEQUENCE("a list"),
        SCALAR("a single value"),
        NULL("an empty value");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** How messages name this kind: "a mapping", "a list", ... */
        public String description() {
            return description;
        }
    }

    private final Kind kind;
    private final SourcePosition position;
    private final String text;
    private final List<ConfigNode> elements;
    private final Map<String, ConfigNode> values;
    private final Map<String, ConfigNode> keyNodes;

    private ConfigNode(Kind kind, SourcePosition position, String text) {
        this.kind = kind;
        this.position = position;
        this.text = text;
        this.elements = kind == Kind.SEQUENCE ? new ArrayList<>() : List.of();
        this.values = kind == Kind.MAPPING ? new LinkedHashMap<>() : Map.of();
        this.keyNodes = kind == Kind.MAPPING ? new LinkedHashMap<>() : Map.of();
    }

    static ConfigNode scalar(SourcePosition position, String text) {
        return new ConfigNode(Kind.SCALAR, position, text);
    }

    static ConfigNode nullNode(SourcePosition position) {
        return new ConfigNode(Kind.NULL, position, null);
    }

    static ConfigNode sequence(SourcePosition position) {
        return new ConfigNode(Kind.SEQUENCE, position, null);
    }

    static ConfigNode mapping(SourcePosition position) {
        return new ConfigNode(Kind.MAPPING, position, null);
    }

    /** Building only (YamlDocument). */
    void addElement(ConfigNode element) {
        elements.add(element);
    }

    /** Building only (YamlDocument). Returns the earlier key node when the key is a duplicate. */
    ConfigNode put(ConfigNode key, ConfigNode value) {
        ConfigNode earlier = keyNodes.putIfAbsent(key.text, key);
        if (earlier == null) {
            values.put(key.text, value);
        }
        return earlier;
    }

    // ---- what the node is ------------------------------------------------------------------

    public Kind kind() {
        return kind;
    }

    /** Where the node starts (for a quoted scalar: its opening quote). */
    public SourcePosition position() {
        return position;
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    public boolean isScalar() {
        return kind == Kind.SCALAR;
    }

    public boolean isSequence() {
        return kind == Kind.SEQUENCE;
    }

    public boolean isMapping() {
        return kind == Kind.MAPPING;
    }

    /** An error at this node's position. */
    public ConfigException error(String message) {
        return new ConfigException(position, message);
    }

    // ---- mappings --------------------------------------------------------------------------

    /** The keys of a mapping in source order; none for other kinds. */
    public List<String> keys() {
        return List.copyOf(values.keySet());
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The value under {@code key}, or {@code null} when this is not a mapping or has no such key. */
    public ConfigNode get(String key) {
        return values.get(key);
    }

    /** The node of the key itself (for errors about the key), or {@code null}. */
    public ConfigNode keyNode(String key) {
        return keyNodes.get(key);
    }

    /**
     * The value under {@code key}; a missing key is an error at this mapping's position:
     * {@code missing 'action' in rule 'x'}.
     */
    public ConfigNode required(String key, String where) {
        ConfigNode v = values.get(key);
        if (v == null) {
            throw error("missing '" + key + "' in " + where);
        }
        return v;
    }

    /** This node, which must be a mapping. */
    public ConfigNode expectMapping(String what) {
        if (kind != Kind.MAPPING) {
            throw error(what + " must be a mapping of keys to values, not " + kind.description);
        }
        return this;
    }

    /**
     * Rejects the first key that is not in {@code allowed}, at the key's position:
     * {@code unknown key 'dst_prot' in match; valid keys: ingress, vlan, ...}.
     *
     * @param where where the key sits, as the message says it: "in match", "at the top level"
     */
    public void checkKeys(String where, Collection<String> allowed) {
        for (Map.Entry<String, ConfigNode> e : keyNodes.entrySet()) {
            if (!allowed.contains(e.getKey())) {
                StringJoiner valid = new StringJoiner(", ");
                allowed.forEach(valid::add);
                throw e.getValue().error("unknown key '" + e.getKey() + "' " + where + "; valid keys: " + valid);
            }
        }
    }

    // ---- sequences -------------------------------------------------------------------------

    /** The elements of this node, which must be a list (possibly empty). */
    public List<ConfigNode> expectList(String what) {
        if (kind != Kind.SEQUENCE) {
            throw error(what + " must be a list, not " + kind.description);
        }
        return Collections.unmodifiableList(elements);
    }

    /**
     * A value or a non-empty list of values, each a single value: {@code vlan: 10} and
     * {@code vlan: [10, 20]} both work. An empty list or empty value is an error, since it would
     * match nothing.
     */
    public List<ConfigNode> expectOneOrMore(String what) {
        if (kind == Kind.SCALAR) {
            return List.of(this);
        }
        if (kind == Kind.SEQUENCE) {
            if (elements.isEmpty()) {
                throw error(what + " is an empty list; give at least one value or remove the key");
            }
            for (ConfigNode e : elements) {
                if (e.kind != Kind.SCALAR) {
                    throw e.error("each entry of " + what + " must be a single value, not " + e.kind.description);
                }
            }
            return Collections.unmodifiableList(elements);
        }
        if (kind == Kind.NULL) {
            throw error(what + " is empty; give a value or a list of values, or remove the key");
        }
        throw error(what + " must be a value or a list of values, not " + kind.description);
    }

    // ---- scalars ---------------------------------------------------------------------------

    /** The text of this node, which must be a non-empty single value. */
    public String expectText(String what) {
        if (kind == Kind.NULL) {
            throw error(what + " is empty; give a value");
        }
        if (kind != Kind.SCALAR) {
            throw error(what + " must be a single value, not " + kind.description);
        }
        if (text.isBlank()) {
            throw error(what + " is empty; give a value");
        }
        return text;
    }

    /** The raw text of a scalar, or {@code null} for other kinds. */
    public String text() {
        return text;
    }

    /** A decimal (or {@code 0x} hexadecimal) integer within {@code [min, max]}. */
    public int expectInt(String what, int min, int max) {
        String t = expectText(what).trim();
        long v = parseNumber(t);
        if (v == Long.MIN_VALUE) {
            throw error(what + " must be a number, not '" + t + "'");
        }
        if (v < min || v > max) {
            throw error(what + " " + t + " is out of range " + min + ".." + max);
        }
        return (int) v;
    }

    /** {@code true} or {@code false}. */
    public boolean expectBoolean(String what) {
        String t = expectText(what).trim();
        return switch (t.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw error(what + " must be true or false, not '" + t + "'");
        };
    }

    /**
     * One of {@code words}, compared without regard to case; returns the word as listed:
     * {@code unknown action 'dorp'; valid: drop, forward, count}.
     *
     * @param what the key, unquoted: messages say "unknown action 'x'" and "'action' must be ..."
     */
    public String expectWord(String what, Collection<String> words) {
        String t = expectText("'" + what + "'").trim();
        for (String w : words) {
            if (w.equalsIgnoreCase(t)) {
                return w;
            }
        }
        StringJoiner valid = new StringJoiner(", ");
        words.forEach(valid::add);
        throw error("unknown " + what + " '" + t + "'; valid: " + valid);
    }

    /**
     * Parses a non-negative decimal number, or {@code 0x}-prefixed hexadecimal, of at most 10
     * digits; {@link Long#MIN_VALUE} when the text is not one. Signs, underscores, octal and
     * YAML 1.1 sexagesimal forms are not numbers here.
     */
    public static long parseNumber(String t) {
        int radix = 10;
        String digits = t;
        if (t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X"))) {
            radix = 16;
            digits = t.substring(2);
        }
        if (digits.isEmpty() || digits.length() > 10) {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), radix);
            if (d < 0 || digits.charAt(i) > 0x7F) {
                return Long.MIN_VALUE;
            }
            v = v * radix + d;
        }
        return v;
    }

    @Override
    public String toString() {
        return kind == Kind.SCALAR ? text + " @" + position : kind.description + " @" + position;
    }
}
