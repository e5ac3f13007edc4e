package org.quietbridge.frame;

/** An IPv4 prefix such as 10.8.0.0/16. The network holds no bits beyond the prefix. */
public record Ipv4Prefix(int network, int length) {

    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32: " + length);
        }
        if ((network & ~Ipv4.mask(length)) != 0) {
            throw new IllegalArgumentException(
                    "host bits set in " + Ipv4.format(network) + "/" + length + " (network is "
                            + Ipv4.format(network & Ipv4.mask(length)) + "/" + length + ")");
        }
    }

    /**
     * Parses {@code a.b.c.d/n}, or a bare address as a /32.
     *
     * @throws IllegalArgumentException with a message fit for an operator
     */
    public static Ipv4Prefix parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        if (slash < 0) {
            return new Ipv4Prefix(Ipv4.parse(t), 32);
        }
        String len = t.substring(slash + 1);
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("not a prefix length: " + len);
        }
        return new Ipv4Prefix(Ipv4.parse(t.substring(0, slash)), Integer.parseInt(len));
    }

    public boolean contains(int address) {
        return (address & Ipv4.mask(length)) == network;
    }

    @Override
    public String toString() {
        return Ipv4.format(network) + "/" + length;
    }
}
