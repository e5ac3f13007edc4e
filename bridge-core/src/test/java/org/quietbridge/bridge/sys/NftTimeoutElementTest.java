package org.quietbridge.bridge.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The data plane's hold on the kernel's stand-in: the netlink batch it sends, byte for byte, and (as
 * root, with nft) what the kernel does with it: the element appears with its timeout, stays while it
 * is renewed, expires when the renewals stop, and goes at once on release.
 */
@Timeout(60)
class NftTimeoutElementTest {

    /** One netlink message of the batch: type, flags, nfgenmsg family and res_id, and its attributes. */
    private record Message(int type, int flags, int family, int resourceId, ByteBuffer attributes) {
    }

    private static List<Message> messages(byte[] batch) {
        ByteBuffer b = ByteBuffer.wrap(batch).order(ByteOrder.nativeOrder());
        List<Message> out = new ArrayList<>();
        while (b.remaining() > 0) {
            int start = b.position();
            int length = b.getInt(start);
            assertTrue(length >= 20 && start + length <= batch.length, "message length " + length + " at " + start);
            int family = batch[start + 16];
            int resourceId = ByteBuffer.wrap(batch, start + 18, 2).order(ByteOrder.BIG_ENDIAN).getShort() & 0xFFFF;
            ByteBuffer attributes = ByteBuffer.wrap(batch, start + 20, length - 20).slice().order(ByteOrder.nativeOrder());
            out.add(new Message(b.getShort(start + 4) & 0xFFFF, b.getShort(start + 6) & 0xFFFF, family, resourceId,
                    attributes));
            b.position(start + ((length + 3) & ~3));
        }
        return out;
    }

    /** The payload of the first attribute of {@code type} (the nested flag ignored), or null. */
    private static ByteBuffer attribute(ByteBuffer attributes, int type) {
        ByteBuffer b = attributes.duplicate().order(ByteOrder.nativeOrder());
        while (b.remaining() >= 4) {
            int start = b.position();
            int length = b.getShort(start) & 0xFFFF;
            int t = b.getShort(start + 2) & 0x7FFF;
            assertTrue(length >= 4 && length <= b.remaining(), "attribute length " + length);
            if (t == type) {
                return b.duplicate().position(start + 4).limit(start + length).slice().order(ByteOrder.nativeOrder());
            }
            b.position(Math.min(b.limit(), start + ((length + 3) & ~3)));
        }
        return null;
    }

    private static String string(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        assertEquals(0, bytes[bytes.length - 1], "NUL-terminated");
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
    }

    /** ARPHRD_ETHER as the set's iface_type key: 16 bits, host order. */
    private static final byte[] ETHER = ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) 1).array();

    @Test
    void theBatchEmptiesTheSetAndAddsTheElementWithItsTimeoutInOneTransaction() throws Exception {
        try (NftTimeoutElement element = new NftTimeoutElement(NftTimeoutElement.NFPROTO_NETDEV, "quietbridge_a_b",
                "alive", ETHER, 200)) {
            List<Message> batch = messages(element.refreshBytes());

            assertEquals(4, batch.size());
            assertEquals(new Message(0x10, 1, 0, 10, batch.get(0).attributes()), batch.get(0), "NFNL_MSG_BATCH_BEGIN");
            assertEquals(new Message(0x11, 1, 0, 10, batch.get(3).attributes()), batch.get(3), "NFNL_MSG_BATCH_END");
            Message flush = batch.get(1);
            assertEquals((10 << 8) | 14, flush.type(), "NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_DELSETELEM");
            assertEquals(1, flush.flags(), "NLM_F_REQUEST");
            assertEquals("quietbridge_a_b", string(attribute(flush.attributes(), 1)));
            assertEquals("alive", string(attribute(flush.attributes(), 2)));
            assertEquals(null, attribute(flush.attributes(), 3), "no element list: the whole set");
            Message add = batch.get(2);
            assertEquals((10 << 8) | 12, add.type(), "NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM");
            assertEquals(0x401, add.flags(), "NLM_F_REQUEST | NLM_F_CREATE, and no NLM_F_ACK");
            assertEquals(5, add.family(), "NFPROTO_NETDEV");
            assertEquals("quietbridge_a_b", string(attribute(add.attributes(), 1)));
            assertEquals("alive", string(attribute(add.attributes(), 2)));
            ByteBuffer one = attribute(attribute(add.attributes(), 3), 1);
            ByteBuffer key = attribute(attribute(one, 1), 1);
            assertEquals(2, key.remaining());
            assertEquals(1, key.getShort(0));
            assertEquals(200, attribute(one, 4).order(ByteOrder.BIG_ENDIAN).getLong(0), "timeout, ms, big-endian");
            assertEquals(null, attribute(one, 5), "no expiration: older kernels refuse or ignore it");

            List<Message> release = messages(element.releaseBytes());
            assertEquals(List.of(0x10, (10 << 8) | 14, 0x11), release.stream().map(Message::type).toList(),
                    "a release only empties the set");

            List<Message> query = messages(element.queryBytes());
            assertEquals(List.of((10 << 8) | 13), query.stream().map(Message::type).toList(),
                    "the question is one NFT_MSG_GETSETELEM, outside a batch");
            assertEquals(NftTimeoutElement.NLM_F_REQUEST, query.getFirst().flags(), "no dump: the one element");
        }
    }

    private static String nft(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("nft"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "nft " + args[0]);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    private static boolean hasElement(String table) throws IOException, InterruptedException {
        return nft("list", "set", "netdev", table, "alive").contains("elements = {");
    }

    /**
     * What 20,000 refreshes and questions (each reading the kernel's answer) allocate on this thread, after as many to warm up: the
     * least of three windows (the JIT's one-off bookkeeping can land in any one, see
     * BridgeAgentAllocationTest).
     */
    private static long allocatedByRefreshes(NftTimeoutElement element) throws NativeException {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        for (int window = 0; window < 4 && least != 0; window++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++) {
                element.refresh();
                element.present();
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (window > 0) {
                least = Math.min(least, allocated);
            }
        }
        return least;
    }

    @Test
    void theKernelKeepsTheElementWhileItIsRenewedAndDropsItWhenTheRenewalsStop() throws Exception {
        assumeTrue(LinuxSyscalls.geteuid() == 0, "needs root (CAP_NET_ADMIN)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft");
        String table = String.format("qbtest_%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        nft("add", "table", "netdev", table);
        try (NftTimeoutElement element = new NftTimeoutElement(NftTimeoutElement.NFPROTO_NETDEV, table, "alive", ETHER,
                300)) {
            // The garbage collector runs once an hour: an expired element stays in the set, as it may for a while.
            nft("add", "set", "netdev", table, "alive", "{ type iface_type; flags timeout; gc-interval 1h; }");
            assertFalse(hasElement(table));

            assertTrue(element.refresh());
            assertTrue(hasElement(table), "a refresh adds the element");
            assertTrue(nft("list", "set", "netdev", table, "alive").contains("elements = { ether timeout 300ms"),
                    nft("list", "set", "netdev", table, "alive"));
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(900);
            while (System.nanoTime() < until) {
                element.refresh();
                Thread.sleep(50);
            }
            assertTrue(hasElement(table), "renewed every 50 ms, it outlives its 300 ms timeout");
            assertTrue(element.present(), "the kernel says it is there");
            Thread.sleep(400);
            assertFalse(element.present(), "expired and not collected yet: gone for the kernel's get as for its rules");
            assertFalse(hasElement(table), "without renewals it expires");
            element.refresh();
            assertTrue(hasElement(table));
            assertTrue(element.present());
            element.release();
            assertFalse(element.present(), "released");
            Thread.sleep(50);
            assertFalse(hasElement(table), "a release lets it expire at once");
            assertEquals(0, element.errors());

            assertEquals(0, allocatedByRefreshes(element), "bytes allocated by 20,000 refreshes");

            nft("delete", "set", "netdev", table, "alive");
            assertFalse(element.refresh(), "a refused batch is answered before sendto returns");
            assertTrue(element.errors() >= 1, "and counted");
            assertEquals(2, element.lastErrno(), "ENOENT: the set is gone");
        } finally {
            nft("delete", "table", "netdev", table);
        }
    }
}
