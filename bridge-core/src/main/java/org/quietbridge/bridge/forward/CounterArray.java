package org.quietbridge.bridge.forward;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed array of counters with one writer and any number of readers. The writer adds with
 * plain arithmetic and an opaque store (no lock, no atomic read-modify-write); readers use
 * opaque loads, which on every JVM target see whole 64-bit values, never torn halves.
 */
public final class CounterArray {
    private static final VarHandle ELEMENT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values;

    public CounterArray(int size) {
        this.values = new long[size];
    }

    /** Writer only. */
    public void add(int index, long delta) {
        ELEMENT.setOpaque(values, index, values[index] + delta);
    }

    /** Writer only. */
    public void increment(int index) {
        ELEMENT.setOpaque(values, index, values[index] + 1);
    }

    /** Writer only: for gauges such as a table's size. */
    public void set(int index, long value) {
        ELEMENT.setOpaque(values, index, value);
    }

    /** Any thread. */
    public long get(int index) {
        return (long) ELEMENT.getOpaque(values, index);
    }

    public int size() {
        return values.length;
    }
}
