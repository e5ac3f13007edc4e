"""Raw Ethernet frames for PacketRingPort's root tests; runs inside a test network namespace.

  rawframes.py send IFACE HEX [HEX ...]
      Sends each frame once, in order, through an AF_PACKET socket bound to IFACE.

  rawframes.py listen IFACE MAGIC_HEX END_HEX TIMEOUT_SECONDS
      Prints READY once bound, then "FRAME <pkttype> <hex>" for every frame that contains MAGIC,
      with the tag the kernel stripped put back (from PACKET_AUXDATA), and exits 0 after printing
      END when a frame containing END arrives; prints TIMEOUT and exits 1 if none does in time.

  rawframes.py udp-broadcast ADDRESS PORT PAYLOAD
      Sends one UDP datagram to ADDRESS:PORT through the namespace's IP stack.

  rawframes.py udp-gso ADDRESS PORT SEGMENT_SIZE TOTAL PAYLOAD
      Sends TOTAL bytes starting with PAYLOAD in one send with UDP_SEGMENT (UDP GSO): with
      tx-udp-segmentation on, the interface gets one super-frame instead of TOTAL/SEGMENT_SIZE frames.
"""
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 1 << 4
TP_STATUS_VLAN_TPID_VALID = 1 << 6
UDP_SEGMENT = 103  # include/uapi/linux/udp.h
AUXDATA = struct.Struct("=IIIHHHH")  # struct tpacket_auxdata, include/uapi/linux/if_packet.h


def send(iface, frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((iface, 0))
    for frame in frames:
        s.send(bytes.fromhex(frame))
    s.close()
    return 0


def listen(iface, magic, end, timeout):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((iface, ETH_P_ALL))
    print("READY", flush=True)
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            print("TIMEOUT", flush=True)
            return 1
        readable, _, _ = select.select([s], [], [], remaining)
        if not readable:
            continue
        data, ancillary, _, address = s.recvmsg(65536, socket.CMSG_SPACE(AUXDATA.size))
        for level, kind, cdata in ancillary:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(cdata) >= AUXDATA.size:
                status, _, _, _, _, tci, tpid = AUXDATA.unpack(cdata[:AUXDATA.size])
                if status & TP_STATUS_VLAN_VALID:
                    if not status & TP_STATUS_VLAN_TPID_VALID:
                        tpid = 0x8100
                    data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
        if end in data:
            print("END", flush=True)
            return 0
        if magic in data:
            print("FRAME", address[2], data.hex(), flush=True)


def udp_broadcast(address, port, payload):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.sendto(payload.encode("ascii"), (address, int(port)))
    s.close()
    return 0


def udp_gso(address, port, segment_size, total, payload):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, int(segment_size))
    data = payload.encode("ascii")
    s.sendto(data + bytes(int(total) - len(data)), (address, int(port)))
    s.close()
    return 0


def main(argv):
    if argv[1] == "send":
        return send(argv[2], argv[3:])
    if argv[1] == "listen":
        return listen(argv[2], bytes.fromhex(argv[3]), bytes.fromhex(argv[4]), float(argv[5]))
    if argv[1] == "udp-broadcast":
        return udp_broadcast(argv[2], argv[3], argv[4])
    if argv[1] == "udp-gso":
        return udp_gso(argv[2], argv[3], argv[4], argv[5], argv[6])
    print("unknown command " + argv[1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
