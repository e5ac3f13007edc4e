package org.quietbridge.bridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class JsonWriterTest {

    private static String quoted(String s) {
        return new JsonWriter().value(s).text();
    }

    @Test
    void escapesWhatRfc8259RequiresAndWhatHtmlNeeds() {
        assertEquals("\"a\\\"b\\\\c\"", quoted("a\"b\\c"));
        assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001f\"", quoted("\n\r\t\b\f\u0000\u001f"));
        assertEquals("\"\\u003c/script\\u003e \\u0026\"", quoted("</script> &"));
        assertEquals("\"\\u2028\\u2029\"", quoted("\u2028\u2029"));
        assertEquals("\"caf\u00e9 \uD83D\uDE00\"", quoted("caf\u00e9 \uD83D\uDE00"), "pairs pass as they are");
        assertEquals("\"\\ud83d x \\ude00\"", quoted("\uD83D x \uDE00"), "lone surrogates are escaped");
        assertEquals("null", new JsonWriter().value((String) null).text());
    }

    @Test
    void numbersAndLiterals() {
        String text = new JsonWriter().beginArray().value(0).value(-12).value(Long.MAX_VALUE).value(1.5)
                .value(Double.NaN).value(Double.POSITIVE_INFINITY).value(1e21).value(true).nullValue().endArray().text();
        assertEquals("[0,-12,9223372036854775807,1.5,null,null,1.0E21,true,null]", text);
        assertEquals(java.util.Arrays.asList(0L, -12L, Long.MAX_VALUE, 1.5, null, null, 1e21, true, null),
                StrictJson.parse(text));
    }

    @Test
    void nestsObjectsAndArraysWithCommas() {
        String text = new JsonWriter().beginObject().member("a", 1).name("b").beginArray().beginObject().endObject()
                .beginArray().endArray().value("x").endArray().member("c", false).endObject().text();
        assertEquals("{\"a\":1,\"b\":[{},[],\"x\"],\"c\":false}", text);
        assertEquals(Map.of("a", 1L, "b", List.of(Map.of(), List.of(), "x"), "c", false), StrictJson.parse(text));
    }

    @Test
    void refusesCallsThatWouldMakeInvalidJson() {
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().value(1));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginArray().name("x"));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().name("x"));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().name("a").name("b"));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().name("a").endObject());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().endArray());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginObject().text());
        assertThrows(IllegalStateException.class, () -> new JsonWriter().value(1).value(2));
        assertThrows(IllegalStateException.class, () -> new JsonWriter().beginArray().endArray().beginArray());
        assertThrows(IllegalStateException.class, () -> {
            JsonWriter w = new JsonWriter();
            for (int i = 0; i < 33; i++) {
                w.beginArray();
            }
        });
    }

    @Test
    void randomStringsRoundTripThroughAStrictParser() {
        Random random = new Random(20_260_522);
        for (int n = 0; n < 2_000; n++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(24);
            for (int i = 0; i < length; i++) {
                b.append(switch (random.nextInt(4)) {
                    case 0 -> (char) random.nextInt(0x80);
                    case 1 -> (char) random.nextInt(0x10000);
                    case 2 -> "\"\\/<>&\u2028".charAt(random.nextInt(7));
                    default -> (char) random.nextInt(0x20);
                });
            }
            String s = b.toString();
            String text = new JsonWriter().beginObject().member(s, s).endObject().text();
            // What goes on the wire is UTF-8; escapes keep lone surrogates intact through it.
            String wire = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            assertEquals(Map.of(s, s), StrictJson.parse(wire), () -> "for " + s.chars().boxed().toList());
        }
    }
}
