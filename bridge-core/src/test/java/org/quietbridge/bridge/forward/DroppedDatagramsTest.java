package org.quietbridge.bridge.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DroppedDatagramsTest {
    private static final int SRC = 0x0a00_0001;
    private static final int DST = 0x0a00_00ff;
    private static final long NOW = 5_000_000_000L;

    @Test
    void namesADatagramByItsAddressesProtocolIdentificationAndVlan() {
        DroppedDatagrams d = new DroppedDatagrams();
        d.remember(SRC, DST, 17, 0x1234, -1, 3, NOW);
        assertEquals(3, d.ruleFor(SRC, DST, 17, 0x1234, -1, NOW));
        assertEquals(-1, d.ruleFor(SRC, DST, 17, 0x1235, -1, NOW), "another identification");
        assertEquals(-1, d.ruleFor(SRC, DST, 6, 0x1234, -1, NOW), "another protocol");
        assertEquals(-1, d.ruleFor(DST, SRC, 17, 0x1234, -1, NOW), "the other way round");
        assertEquals(-1, d.ruleFor(SRC, DST, 17, 0x1234, 10, NOW), "another VLAN");
    }

    @Test
    void forgetsAfterTheLifetimeAndOnClear() {
        DroppedDatagrams d = new DroppedDatagrams();
        d.remember(SRC, DST, 17, 1, -1, 0, NOW);
        assertEquals(0, d.ruleFor(SRC, DST, 17, 1, -1, NOW + DroppedDatagrams.LIFETIME_NANOS - 1));
        assertEquals(-1, d.ruleFor(SRC, DST, 17, 1, -1, NOW + DroppedDatagrams.LIFETIME_NANOS));
        d.remember(SRC, DST, 17, 2, -1, 0, NOW);
        d.clear();
        assertEquals(-1, d.ruleFor(SRC, DST, 17, 2, -1, NOW));
    }

    @Test
    void aFloodOfDatagramsCostsNoMoreThanItsSlotsAndTheNewestAreKept() {
        DroppedDatagrams d = new DroppedDatagrams();
        int n = DroppedDatagrams.CAPACITY * 4;
        for (int id = 0; id < n; id++) {
            d.remember(SRC, DST, 17, id, -1, 1, NOW + id);
        }
        int known = 0;
        for (int id = 0; id < n; id++) {
            if (d.ruleFor(SRC, DST, 17, id, -1, NOW + n) == 1) {
                known++;
            }
        }
        // At most CAPACITY remembered; the last datagram is always among them.
        assertEquals(true, known <= DroppedDatagrams.CAPACITY, known + " remembered");
        assertEquals(1, d.ruleFor(SRC, DST, 17, n - 1, -1, NOW + n));
        assertEquals(true, known > DroppedDatagrams.CAPACITY / 2, known + " remembered of " + n);
    }

    @Test
    void sourcesThatDifferOnlyInTheirHighBitsSpreadOverTheTable() {
        // A /16 of clients, one per /24, each broadcasting a datagram with the same identification.
        DroppedDatagrams d = new DroppedDatagrams();
        int n = DroppedDatagrams.CAPACITY / 4;
        for (int i = 0; i < n; i++) {
            d.remember(0x0a4d_0000 | i << 8 | 10, -1, 17, 0x1234, -1, 1, NOW);
        }
        int known = 0;
        for (int i = 0; i < n; i++) {
            known += d.ruleFor(0x0a4d_0000 | i << 8 | 10, -1, 17, 0x1234, -1, NOW) == 1 ? 1 : 0;
        }
        assertEquals(n, known, "a quarter-full table keeps every datagram");
    }

    @Test
    void rememberingTheSameDatagramAgainRenewsItInPlace() {
        DroppedDatagrams d = new DroppedDatagrams();
        d.remember(SRC, DST, 17, 5, -1, 2, NOW);
        d.remember(SRC, DST, 17, 5, -1, 4, NOW + 10);
        assertEquals(4, d.ruleFor(SRC, DST, 17, 5, -1, NOW + DroppedDatagrams.LIFETIME_NANOS + 5));
    }
}
