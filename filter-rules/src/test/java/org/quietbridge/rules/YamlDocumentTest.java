package org.quietbridge.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The positioned YAML layer that the rule loader (and later the bridge configuration) builds on. */
class YamlDocumentTest {
    private static final String BRIDGE = """
            ports:
              - eth1
              - eth2
            fdb:
              max_entries: 65536
              aging_seconds: "300"
            api: {listen: 127.0.0.1, port: 0x1f90, enabled: TRUE}
            empty:
            tilde: ~
            quoted_null: "null"
            octal_looking: 0806
            yes_word: yes
            """;

    private final ConfigNode root = YamlDocument.parse("bridge.yaml", BRIDGE).root();

    private static String message(Runnable r) {
        return assertThrows(ConfigException.class, r::run).getMessage();
    }

    @Test
    void nodesKnowTheirKindAndPosition() {
        assertTrue(root.isMapping());
        assertEquals(new SourcePosition("bridge.yaml", 1, 1), root.position());
        ConfigNode ports = root.get("ports");
        assertTrue(ports.isSequence());
        assertEquals(new SourcePosition("bridge.yaml", 3, 5), ports.expectList("'ports'").get(1).position());
        assertEquals(new SourcePosition("bridge.yaml", 4, 1), root.keyNode("fdb").position());
        assertEquals(List.of("ports", "fdb", "api", "empty", "tilde", "quoted_null", "octal_looking", "yes_word"),
                root.keys());
        assertNull(root.get("absent"));
        assertFalse(root.has("absent"));
    }

    @Test
    void scalarsKeepTheTextAsWrittenSoYaml11ReadingsDoNotSurprise() {
        assertEquals("0806", root.get("octal_looking").expectText("'octal_looking'"));
        assertEquals("yes", root.get("yes_word").text());
        assertEquals("null", root.get("quoted_null").expectText("'quoted_null'"));
        assertTrue(root.get("empty").isNull());
        assertTrue(root.get("tilde").isNull());
    }

    @Test
    void expectIntReadsDecimalAndHexWithinBounds() {
        ConfigNode fdb = root.get("fdb");
        assertEquals(65536, fdb.get("max_entries").expectInt("'max_entries'", 1, 1 << 20));
        assertEquals(300, fdb.get("aging_seconds").expectInt("'aging_seconds'", 1, 86400));
        assertEquals(8080, root.get("api").get("port").expectInt("'port'", 0, 65535));
        assertEquals("bridge.yaml:5:16: 'max_entries' 65536 is out of range 1..4096",
                message(() -> fdb.get("max_entries").expectInt("'max_entries'", 1, 4096)));
        assertEquals("bridge.yaml:7:15: 'listen' must be a number, not '127.0.0.1'",
                message(() -> root.get("api").get("listen").expectInt("'listen'", 0, 65535)));
    }

    @Test
    void expectBooleanTakesTrueOrFalseOnly() {
        assertTrue(root.get("api").get("enabled").expectBoolean("'enabled'"));
        assertEquals("bridge.yaml:12:11: 'yes_word' must be true or false, not 'yes'",
                message(() -> root.get("yes_word").expectBoolean("'yes_word'")));
    }

    @Test
    void typedGettersReportWrongKindsAtTheNode() {
        assertEquals("bridge.yaml:2:3: 'ports' must be a single value, not a list",
                message(() -> root.get("ports").expectText("'ports'")));
        assertEquals("bridge.yaml:5:3: 'fdb' must be a list, not a mapping",
                message(() -> root.get("fdb").expectList("'fdb'")));
        assertEquals("bridge.yaml:2:3: 'ports' must be a mapping of keys to values, not a list",
                message(() -> root.get("ports").expectMapping("'ports'")));
        assertEquals("bridge.yaml:8:7: 'empty' is empty; give a value",
                message(() -> root.get("empty").expectText("'empty'")));
    }

    @Test
    void requiredAndCheckKeysReportAtTheMappingAndTheKey() {
        ConfigNode fdb = root.get("fdb");
        assertEquals("bridge.yaml:5:3: missing 'static' in fdb", message(() -> fdb.required("static", "fdb")));
        assertEquals("bridge.yaml:6:3: unknown key 'aging_seconds' in fdb; valid keys: max_entries, aging",
                message(() -> fdb.checkKeys("in fdb", List.of("max_entries", "aging"))));
        fdb.checkKeys("in fdb", List.of("aging_seconds", "max_entries"));
    }

    @Test
    void expectOneOrMoreAcceptsAValueOrAList() {
        assertEquals(2, root.get("ports").expectOneOrMore("'ports'").size());
        assertEquals("0806", root.get("octal_looking").expectOneOrMore("'octal_looking'").getFirst().text());
    }

    @Test
    void expectWordIsCaseInsensitiveAndListsTheChoices() {
        assertEquals("true", root.get("api").get("enabled").expectWord("enabled", List.of("true", "false")));
        assertEquals("bridge.yaml:12:11: unknown yes_word 'yes'; valid: on, off",
                message(() -> root.get("yes_word").expectWord("yes_word", List.of("on", "off"))));
    }

    @Test
    void emptyDocumentHasANullRoot() {
        assertTrue(YamlDocument.parse("e.yaml", "").root().isNull());
        assertTrue(YamlDocument.parse("e.yaml", "# just a comment\n").root().isNull());
    }

    @Test
    void recursiveAliasIsRejected() {
        assertEquals("r.yaml:1:15: alias '*a' refers to a list or mapping that contains it",
                message(() -> YamlDocument.parse("r.yaml", "a: &a {b: [1, *a]}\n")));
    }

    @Test
    void complexMappingKeysAreRejected() {
        assertEquals("k.yaml:1:3: mapping keys must be plain words, not a list",
                message(() -> YamlDocument.parse("k.yaml", "? [a, b]\n: 1\n")));
    }

    @Test
    void nonPrintableCharactersAreReportedWhereTheyAre() {
        assertEquals("c.yaml:2:9: character U+0007 is not allowed in YAML (special characters are not printable)",
                message(() -> YamlDocument.parse("c.yaml", "mode: x\nrules: [\u0007]\n")));
    }

    @Test
    void configExceptionMessageIsFileLineColumnMessage() {
        ConfigException e = new ConfigException(new SourcePosition("f.yaml", 3, 9), "bad thing");
        assertEquals("f.yaml:3:9: bad thing", e.getMessage());
        assertEquals("bad thing", e.detail());
        assertEquals(new SourcePosition("f.yaml", 3, 9), e.position());
    }
}
