package org.quietbridge.rules;

import java.util.Locale;

/** Where an IPv4 packet stands in fragmentation (RFC 791, section 2.3). */
public enum Fragment {
    /** Neither more-fragments nor a fragment offset: a whole datagram. */
    UNFRAGMENTED,
    /** More-fragments set, offset 0: carries the L4 header, so ports are known. */
    FIRST,
    /** A non-zero offset: no L4 header, so no ports. */
    LATER;

    /** The word used in YAML and reports. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
