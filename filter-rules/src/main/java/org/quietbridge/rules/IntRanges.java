package org.quietbridge.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** Sorting, merging and printing of range lists, shared by VLAN and port selectors. */
final class IntRanges {
    private IntRanges() {
    }

    /** Sorted, with overlapping and adjacent ranges merged; immutable. */
    static List<IntRange> normalize(List<IntRange> ranges) {
        List<IntRange> sorted = new ArrayList<>(ranges);
        sorted.sort(null);
        List<IntRange> out = new ArrayList<>();
        for (IntRange r : sorted) {
            if (!out.isEmpty()) {
                IntRange last = out.getLast();
                if ((long) r.first() <= (long) last.last() + 1) {
                    out.set(out.size() - 1, new IntRange(last.first(), Math.max(last.last(), r.last())));
                    continue;
                }
            }
            out.add(r);
        }
        return List.copyOf(out);
    }

    static String join(List<IntRange> ranges) {
        StringJoiner j = new StringJoiner(",");
        for (IntRange r : ranges) {
            j.add(r.toString());
        }
        return j.toString();
    }
}
