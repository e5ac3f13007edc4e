package org.quietbridge.bridge.forward;

/**
 * The two pieces of arithmetic that the data plane's open-addressing tables (the MAC table,
 * the top-talkers table, the NLB slot index) share: where a key's probe run starts, and when
 * backward-shift deletion may move an entry into a hole (Knuth, TAOCP vol. 3, 6.4, Algorithm R),
 * which keeps lookups correct without tombstones.
 */
final class LinearProbing {
    private LinearProbing() {
    }

    /** Fibonacci hashing of a 64-bit key, folded to 32 bits; mask it with the table size. */
    static int hash(long key) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /**
     * True when the entry in cell {@code j}, whose probe run starts at {@code home}, may move
     * back into the empty cell {@code hole}: that is when {@code home} does not lie cyclically
     * in {@code (hole, j]}.
     */
    static boolean mayFill(int hole, int j, int home) {
        boolean homeBetween = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        return !homeBetween;
    }
}
