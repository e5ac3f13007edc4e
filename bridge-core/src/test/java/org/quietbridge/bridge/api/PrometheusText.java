package org.quietbridge.bridge.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests (no parser of it is
 * published on Maven Central for Java). It rejects what the format does not allow and what
 * Prometheus would refuse to ingest:
 * <ul>
 *   <li>lines end with {@code \n}, the last one included; no empty lines, no {@code \r};</li>
 *   <li>{@code # HELP name text} with only {@code \\} and {@code \n} escapes; {@code # TYPE name t}
 *       with t one of counter, gauge, histogram, summary, untyped; each at most once per name,
 *       before the name's first sample;</li>
 *   <li>metric names {@code [a-zA-Z_:][a-zA-Z0-9_:]*}, label names {@code [a-zA-Z_][a-zA-Z0-9_]*}
 *       not starting with {@code __}, label values in double quotes with only {@code \\},
 *       {@code \"} and {@code \n} escapes, no label twice in a sample;</li>
 *   <li>values Go floats ({@code 1}, {@code 1.5e3}, {@code NaN}, {@code +Inf}, {@code -Inf}), an
 *       optional integer millisecond timestamp;</li>
 *   <li>a family's samples are contiguous, and no two samples repeat name and labels;</li>
 *   <li>counters' samples end with {@code _total} and are never negative.</li>
 * </ul>
 */
public final class PrometheusText {
    static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Inf|NaN)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One metric family: its TYPE, HELP and samples. */
    public record Family(String name, String type, String help, List<Sample> samples) {
    }

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private PrometheusText() {
    }

    /** Families by name, in the order they appear. */
    public static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the last line does not end with \\n");
        }
        if (text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("carriage return in the exposition");
        }
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Map<String, List<Sample>> samples = new LinkedHashMap<>();
        Set<String> closedFamilies = new HashSet<>();
        Set<String> seenSeries = new HashSet<>();
        String currentFamily = null;
        int lineNo = 0;
        String[] lines = text.isEmpty() ? new String[0] : text.substring(0, text.length() - 1).split("\n", -1);
        for (String line : lines) {
            lineNo++;
            String where = "line " + lineNo + " \"" + line + "\": ";
            if (line.isEmpty()) {
                throw new IllegalArgumentException(where + "empty line");
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && parts[0].equals("#") && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    require(METRIC_NAME.matcher(name).matches(), where + "bad metric name");
                    String rest = parts.length == 4 ? parts[3] : "";
                    if (parts[1].equals("HELP")) {
                        require(!helps.containsKey(name), where + "second HELP");
                        helps.put(name, unescape(rest, false, where));
                    } else {
                        require(!types.containsKey(name), where + "second TYPE");
                        require(TYPES.contains(rest), where + "unknown type " + rest);
                        require(!samples.containsKey(name), where + "TYPE after samples");
                        types.put(name, rest);
                    }
                    if (!name.equals(currentFamily)) {
                        require(!closedFamilies.contains(name), where + "family " + name + " split up");
                        if (currentFamily != null) {
                            closedFamilies.add(currentFamily);
                        }
                        currentFamily = name;
                    }
                }
                continue;
            }
            Sample s = sample(line, where);
            String family = familyOf(s.name(), types);
            if (!family.equals(currentFamily)) {
                require(!closedFamilies.contains(family), where + "family " + family + " split up");
                if (currentFamily != null) {
                    closedFamilies.add(currentFamily);
                }
                currentFamily = family;
            }
            require(seenSeries.add(s.name() + new TreeMap<>(s.labels())), where + "repeated series");
            if ("counter".equals(types.get(family))) {
                require(s.name().endsWith("_total"), where + "counter sample without _total");
                require(s.value() >= 0, where + "negative counter");
            }
            samples.computeIfAbsent(family, k -> new ArrayList<>()).add(s);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>(types.keySet());
        names.addAll(samples.keySet());
        for (String n : names) {
            out.put(n, new Family(n, types.getOrDefault(n, "untyped"), helps.get(n),
                    List.copyOf(samples.getOrDefault(n, List.of()))));
        }
        return out;
    }

    private static String familyOf(String sampleName, Map<String, String> types) {
        if (types.containsKey(sampleName)) {
            return sampleName;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                String t = types.get(base);
                if ("histogram".equals(t) || "summary".equals(t)) {
                    return base;
                }
            }
        }
        return sampleName;
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(METRIC_NAME.matcher(name).matches(), where + "bad metric name");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                require(eq > i, where + "label without =");
                String label = line.substring(i, eq);
                require(LABEL_NAME.matcher(label).matches() && !label.startsWith("__"), where + "bad label name " + label);
                require(eq + 1 < line.length() && line.charAt(eq + 1) == '"', where + "label value not quoted");
                int j = eq + 2;
                StringBuilder v = new StringBuilder();
                while (true) {
                    require(j < line.length(), where + "unterminated label value");
                    char c = line.charAt(j);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        require(j + 1 < line.length(), where + "dangling backslash");
                        char e = line.charAt(j + 1);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new IllegalArgumentException(where + "bad escape \\" + e);
                        }
                        j += 2;
                    } else {
                        v.append(c);
                        j++;
                    }
                }
                require(labels.put(label, v.toString()) == null, where + "label " + label + " twice");
                i = j + 1;
                require(i < line.length(), where + "unterminated label set");
                if (line.charAt(i) == ',') {
                    i++;
                } else {
                    require(line.charAt(i) == '}', where + "',' or '}' expected after a label");
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', where + "space before the value expected");
        String[] rest = line.substring(i + 1).split(" ", -1);
        require(rest.length == 1 || rest.length == 2, where + "value [timestamp] expected");
        require(FLOAT.matcher(rest[0]).matches(), where + "bad value " + rest[0]);
        if (rest.length == 2) {
            require(rest[1].matches("-?[0-9]+"), where + "bad timestamp " + rest[1]);
        }
        double value = switch (rest[0]) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN", "+NaN", "-NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        return new Sample(name, labels, value);
    }

    private static String unescape(String help, boolean quotes, String where) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            require(i + 1 < help.length(), where + "dangling backslash in HELP");
            char e = help.charAt(++i);
            switch (e) {
                case '\\' -> b.append('\\');
                case 'n' -> b.append('\n');
                case '"' -> {
                    require(quotes, where + "bad escape \\\" in HELP");
                    b.append('"');
                }
                default -> throw new IllegalArgumentException(where + "bad escape \\" + e + " in HELP");
            }
        }
        return b.toString();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
