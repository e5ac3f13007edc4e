package org.quietbridge.rules;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * A YAML configuration file read safely into a tree of positioned {@link ConfigNode}s.
 *
 * <p>Only snakeyaml's parser is used: its event stream is turned into {@link ConfigNode}s here,
 * and no constructor ever runs, so no Java type is ever instantiated from the text, whatever
 * tags it carries (explicit tags are refused). Building the tree ourselves also lets every limit
 * report the exact position at fault, which snakeyaml's composer does not:
 *
 * <ul>
 *   <li>at most {@link #MAX_CODE_POINTS} characters (1 MiB);</li>
 *   <li>at most {@link #MAX_DEPTH} nested lists and mappings;</li>
 *   <li>at most {@link #MAX_COLLECTION_ALIASES} aliases to lists or mappings, which defuses
 *       "billion laughs" alias bombs (aliases to single values are free: they cannot grow);</li>
 *   <li>no duplicate keys: the second one is reported, with the line of the first;</li>
 *   <li>one document per file.</li>
 * </ul>
 *
 * Every error is a {@link ConfigException}.
 */
public final class YamlDocument {
    /** Largest document, in Unicode code points: 1 MiB. */
    public static final int MAX_CODE_POINTS = 1 << 20;
    /** Deepest nesting of lists and mappings. */
    public static final int MAX_DEPTH = 32;
    /** Most aliases (*name) that refer to a list or a mapping. */
    public static final int MAX_COLLECTION_ALIASES = 16;

    private final String source;
    private final ConfigNode root;

    private YamlDocument(String source, ConfigNode root) {
        this.source = source;
        this.root = root;
    }

    /** The source name errors carry (the path as given to {@link #load}). */
    public String source() {
        return source;
    }

    /**
     * The document's top node: normally a mapping; {@link ConfigNode.Kind#NULL} for an empty
     * document (nothing but comments).
     */
    public ConfigNode root() {
        return root;
    }

    /** Reads and parses a UTF-8 file; errors name the file as {@code file.toString()}. */
    public static YamlDocument load(Path file) {
        String name = file.toString();
        SourcePosition start = SourcePosition.start(name);
        byte[] bytes;
        try {
            // A code point takes at most four bytes in UTF-8.
            long size = Files.size(file);
            if (size > 4L * MAX_CODE_POINTS) {
                throw new ConfigException(start, tooLarge(size + " bytes"));
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(start, "no such file", e);
        } catch (IOException e) {
            throw new ConfigException(start, "cannot read the file: " + e, e);
        }
        return parse(name, decodeUtf8(name, bytes));
    }

    /** Parses YAML text; {@code sourceName} is what errors call the source. */
    public static YamlDocument parse(String sourceName, String text) {
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints > MAX_CODE_POINTS) {
            throw new ConfigException(SourcePosition.start(sourceName), tooLarge(codePoints + " characters"));
        }
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        return new YamlDocument(sourceName, new Builder(sourceName, body).build());
    }

    private static String tooLarge(String size) {
        return "file is too large (" + size + "); a configuration file may hold at most " + MAX_CODE_POINTS
                + " characters (1 MiB)";
    }

    /** Strict UTF-8: a bad byte is an error at its line and column, not a replacement character. */
    private static String decodeUtf8(String name, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        out.flip();
        String decoded = out.toString();
        if (r.isError()) {
            throw new ConfigException(positionAt(name, decoded, decoded.length()),
                    "the file is not valid UTF-8 (bad byte 0x" + String.format("%02x", bytes[in.position()] & 0xFF)
                            + " at byte offset " + in.position() + ")");
        }
        return decoded;
    }

    /** 1-based line and code-point column of char index {@code index} in {@code text}. */
    static SourcePosition positionAt(String name, String text, int index) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(index, text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new SourcePosition(name, line, text.codePointCount(lineStart, end) + 1);
    }

    /** Turns snakeyaml's event stream into ConfigNodes, enforcing the limits. */
    private static final class Builder {
        private final String name;
        private final String text;
        private final Map<String, ConfigNode> anchors = new HashMap<>();
        private final Deque<Open> open = new ArrayDeque<>();
        private int collectionAliases;
        private ConfigNode root;
        private int documents;

        Builder(String name, String text) {
            this.name = name;
            this.text = text;
        }

        ConfigNode build() {
            LoaderOptions options = new LoaderOptions();
            // The parser's own guard; our pre-check above gives the friendlier message.
            options.setCodePointLimit(MAX_CODE_POINTS + 1);
            options.setProcessComments(false);
            Parser parser = new ParserImpl(new StreamReader(new StringReader(text)), options);
            try {
                while (true) {
                    Event event = parser.getEvent();
                    if (event.is(Event.ID.StreamEnd)) {
                        break;
                    }
                    handle(event);
                }
            } catch (MarkedYAMLException e) {
                throw new ConfigException(position(e.getProblemMark()), "YAML syntax error: " + problem(e), e);
            } catch (ReaderException e) {
                throw new ConfigException(positionAt(name, text, text.offsetByCodePoints(0,
                        Math.min(e.getPosition(), text.codePointCount(0, text.length())))),
                        "character U+" + String.format("%04X", e.getCodePoint())
                                + " is not allowed in YAML (special characters are not printable)",
                        e);
            } catch (YAMLException e) {
                throw new ConfigException(SourcePosition.start(name), "YAML error: " + e.getMessage(), e);
            }
            return root == null ? ConfigNode.nullNode(SourcePosition.start(name)) : root;
        }

        private static String problem(MarkedYAMLException e) {
            String p = e.getProblem() == null ? "bad syntax" : e.getProblem();
            String c = e.getContext();
            return c == null ? p : p + " (" + c + ")";
        }

        private void handle(Event event) {
            switch (event.getEventId()) {
                case StreamStart, DocumentEnd, Comment -> {
                }
                case DocumentStart -> {
                    documents++;
                    if (documents > 1) {
                        throw new ConfigException(position(event.getStartMark()),
                                "only one YAML document per file; remove this '---' and what follows");
                    }
                }
                case Scalar -> scalar((ScalarEvent) event);
                case Alias -> alias((AliasEvent) event);
                case SequenceStart -> start((CollectionStartEvent) event,
                        ConfigNode.sequence(position(event.getStartMark())));
                case MappingStart -> start((CollectionStartEvent) event,
                        ConfigNode.mapping(position(event.getStartMark())));
                case SequenceEnd, MappingEnd -> end(open.pop().node);
                default -> throw new ConfigException(position(event.getStartMark()),
                        "unexpected YAML event " + event.getEventId());
            }
        }

        private void scalar(ScalarEvent e) {
            SourcePosition at = position(e.getStartMark());
            if (e.getTag() != null && !e.getImplicit().canOmitTagInPlainScalar()
                    && !e.getImplicit().canOmitTagInNonPlainScalar()) {
                throw new ConfigException(at, "YAML tags such as '" + e.getTag() + "' are not allowed");
            }
            String v = e.getValue();
            // The YAML null forms, written plain; a quoted "null" stays text.
            boolean isNull = e.isPlain()
                    && (v.isEmpty() || v.equals("~") || v.equals("null") || v.equals("Null") || v.equals("NULL"));
            ConfigNode node = isNull ? ConfigNode.nullNode(at) : ConfigNode.scalar(at, v);
            anchor(e, node);
            end(node);
        }

        private void alias(AliasEvent e) {
            SourcePosition at = position(e.getStartMark());
            ConfigNode target = anchors.get(e.getAnchor());
            if (target == null) {
                throw new ConfigException(at, "undefined alias '*" + e.getAnchor() + "'");
            }
            if (isOpen(target)) {
                throw new ConfigException(at, "alias '*" + e.getAnchor() + "' refers to a list or mapping that contains it");
            }
            if (target.isMapping() || target.isSequence()) {
                collectionAliases++;
                if (collectionAliases > MAX_COLLECTION_ALIASES) {
                    throw new ConfigException(at, "too many aliases to lists or mappings (more than "
                            + MAX_COLLECTION_ALIASES + "); an alias bomb? Write the values out instead");
                }
            }
            end(target);
        }

        private void start(CollectionStartEvent e, ConfigNode node) {
            if (e.getTag() != null && !e.getImplicit()) {
                throw new ConfigException(node.position(), "YAML tags such as '" + e.getTag() + "' are not allowed");
            }
            if (open.size() >= MAX_DEPTH) {
                throw new ConfigException(node.position(),
                        "lists and mappings are nested too deeply (more than " + MAX_DEPTH + " levels)");
            }
            anchor(e, node);
            open.push(new Open(node));
        }

        private boolean isOpen(ConfigNode node) {
            for (Open o : open) {
                if (o.node == node) {
                    return true;
                }
            }
            return false;
        }

        private void anchor(NodeEvent e, ConfigNode node) {
            if (e.getAnchor() != null) {
                anchors.put(e.getAnchor(), node);
            }
        }

        /** Attaches a finished node to the open collection, or makes it the root. */
        private void end(ConfigNode node) {
            Open parent = open.peek();
            if (parent == null) {
                root = node;
            } else if (parent.node.isSequence()) {
                parent.node.addElement(node);
            } else if (parent.key == null) {
                if (!node.isScalar()) {
                    throw new ConfigException(node.position(), "mapping keys must be plain words, not "
                            + node.kind().description());
                }
                parent.key = node;
            } else {
                ConfigNode key = parent.key;
                parent.key = null;
                ConfigNode earlier = parent.node.put(key, node);
                if (earlier != null) {
                    throw new ConfigException(key.position(), "duplicate key '" + key.text() + "' (first at line "
                            + earlier.position().line() + ")");
                }
            }
        }

        /** A list or mapping being built; for a mapping, the key whose value comes next. */
        private static final class Open {
            final ConfigNode node;
            ConfigNode key;

            Open(ConfigNode node) {
                this.node = node;
            }
        }

        private SourcePosition position(Mark mark) {
            return mark == null ? SourcePosition.start(name)
                    : new SourcePosition(name, mark.getLine() + 1, mark.getColumn() + 1);
        }
    }
}
