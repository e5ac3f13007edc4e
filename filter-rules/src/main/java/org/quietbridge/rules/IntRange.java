package org.quietbridge.rules;

/** An inclusive range of integers such as a VLAN range 100-199 or a port range 1000-2000. */
public record IntRange(int first, int last) implements Comparable<IntRange> {

    public IntRange {
        if (first > last) {
            throw new IllegalArgumentException("range " + first + "-" + last + " starts after it ends");
        }
    }

    public static IntRange of(int value) {
        return new IntRange(value, value);
    }

    public boolean contains(int value) {
        return value >= first && value <= last;
    }

    @Override
    public int compareTo(IntRange o) {
        return first != o.first ? Integer.compare(first, o.first) : Integer.compare(last, o.last);
    }

    /** {@code 137} or {@code 137-138}. */
    @Override
    public String toString() {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
