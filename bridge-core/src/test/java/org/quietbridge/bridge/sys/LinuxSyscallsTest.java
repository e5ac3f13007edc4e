package org.quietbridge.bridge.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/** Downcalls that need no privilege, and the errno-to-exception path. */
class LinuxSyscallsTest {

    @Test
    void closeOfABadDescriptorNamesCallArgumentsAndErrno() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
            NativeException e = assertThrows(NativeException.class, () -> LinuxSyscalls.close(callState, -1));
            assertEquals("close(fd=-1): EBADF (9, Bad file descriptor)", e.getMessage());
            assertEquals(Errno.EBADF, e.errno());
            assertEquals("close", e.syscall());
            assertEquals("EBADF", e.errnoName());
        }
    }

    @Test
    void setsockoptFailureNamesLevelAndOption() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
            int fd = LinuxSyscalls.socket(callState, LinuxConstants.AF_INET,
                    LinuxConstants.SOCK_DGRAM | LinuxConstants.SOCK_CLOEXEC, 0);
            try {
                MemorySegment req = arena.allocate(TpacketReq.LAYOUT);
                NativeException e = assertThrows(NativeException.class, () -> LinuxSyscalls.setsockopt(callState, fd,
                        LinuxConstants.SOL_PACKET, LinuxConstants.PACKET_RX_RING, req));
                assertTrue(e.getMessage().startsWith("setsockopt(fd=" + fd + ", SOL_PACKET, PACKET_RX_RING, tpacket_req{"),
                        e.getMessage());
                assertTrue(e.getMessage().contains("): ENOPROTOOPT (92, Protocol not available)"), e.getMessage());
            } finally {
                LinuxSyscalls.close(callState, fd);
            }
        }
    }

    @Test
    void ifNameToIndexFindsLoopbackAndReportsMissingAsZero() throws Exception {
        assertNotEquals(0, LinuxSyscalls.ifNameToIndex("lo"));
        assertEquals(0, LinuxSyscalls.ifNameToIndex("qbffmnope0"));
        assertEquals(0, LinuxSyscalls.ifNameToIndex("a-name-longer-than-ifnamsiz"));
    }

    @Test
    void netDeviceControlReadsLoopbackFlagsMtuAndIndex() throws Exception {
        try (NetDeviceControl control = new NetDeviceControl()) {
            assertTrue((control.flags("lo") & Ifreq.IFF_UP) != 0, "lo is up");
            assertTrue(control.mtu("lo") >= 1500);
            assertEquals(LinuxSyscalls.ifNameToIndex("lo"), control.index("lo"));
        }
    }

    @Test
    void ioctlOnAMissingInterfaceNamesRequestAndInterface() throws Exception {
        try (NetDeviceControl control = new NetDeviceControl()) {
            NativeException e = assertThrows(NativeException.class, () -> control.mtu("qbffmnope0"));
            assertTrue(e.getMessage().matches(
                    "ioctl\\(fd=\\d+, SIOCGIFMTU, ifr_name=qbffmnope0\\): ENODEV \\(19, No such device\\)"),
                    e.getMessage());
            NativeException gro = assertThrows(NativeException.class, () -> control.gro("qbffmnope0"));
            assertTrue(gro.getMessage().contains("SIOCETHTOOL, ifr_name=qbffmnope0, ETHTOOL_GGRO"), gro.getMessage());
        }
    }

    @Test
    void pollWithNothingToWatchTimesOutAtOnce() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment callState = LinuxSyscalls.allocateCallState(arena);
            MemorySegment fds = arena.allocate(Pollfd.LAYOUT);
            Pollfd.FD.set(fds, 0L, -1); // negative fd: poll ignores the entry
            assertEquals(0, LinuxSyscalls.poll(callState, fds, 1L, 0));
        }
    }

    @Test
    void geteuidMatchesTheUserRunningTheTests() {
        int euid = LinuxSyscalls.geteuid();
        assertEquals("root".equals(System.getProperty("user.name")), euid == 0);
    }

    @Test
    void theWallClockIsTheEpochClockToTheNanosecondAndAllocatesNothing() {
        WallClock clock = new WallClock();
        long before = System.currentTimeMillis();
        long wall = clock.getAsLong();
        long after = System.currentTimeMillis();
        assertTrue(wall >= before * 1_000_000L && wall < (after + 1) * 1_000_000L, before + " <= " + wall + " <= " + after);
        assertTrue(clock.getAsLong() >= wall, "it does not go back between two reads");
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long least = Long.MAX_VALUE;
        long sum = 0;
        for (int window = 0; window < 4; window++) {
            long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200_000; i++) {
                sum += clock.getAsLong() & 1;
            }
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - allocatedBefore);
        }
        assertEquals(0, least, "bytes allocated by 200,000 reads (" + sum + ")");
    }
}
