package org.quietbridge.cli.demo;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What {@code nmblookup NAME} printed: one line {@code 10.77.0.20 QBCORE<00>} per answer, or
 * {@code name_query failed to find name QBCORE} when none came.
 *
 * @param answers the answer lines, as printed
 */
record NameQueryAnswer(List<String> answers) {
    private static final Pattern ADDRESS = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    NameQueryAnswer {
        answers = List.copyOf(answers);
    }

    /** Reads nmblookup's output for a query of {@code name}. */
    static NameQueryAnswer parse(String output, String name) {
        String suffix = " " + name + "<";
        return new NameQueryAnswer(output.lines()
                .map(String::strip)
                .filter(line -> line.contains(suffix) && line.endsWith(">"))
                .filter(line -> ADDRESS.matcher(line.substring(0, line.indexOf(' '))).matches())
                .toList());
    }

    boolean answered() {
        return !answers.isEmpty();
    }

    /** The answers on one line, for the report. */
    String text() {
        return String.join(", ", answers);
    }
}
