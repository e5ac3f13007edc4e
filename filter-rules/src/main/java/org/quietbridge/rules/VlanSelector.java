package org.quietbridge.rules;

import java.util.List;
import java.util.StringJoiner;

/**
 * The VLANs a {@code vlan} or {@code inner_vlan} key selects: VID ranges within 0..4095, and
 * whether untagged frames match. {@link #ANY} (no VIDs, not untagged) means the key is absent.
 * The VID ranges are kept sorted and merged, so two selectors with the same meaning are equal.
 */
public record VlanSelector(boolean untagged, List<IntRange> vids) {
    public static final int MAX_VID = 4095;
    /** The key is absent: every frame matches. */
    public static final VlanSelector ANY = new VlanSelector(false, List.of());

    public VlanSelector {
        vids = IntRanges.normalize(vids);
        for (IntRange r : vids) {
            if (r.first() < 0 || r.last() > MAX_VID) {
                throw new IllegalArgumentException("VLAN IDs are 0.." + MAX_VID + ": " + r);
            }
        }
    }

    /** True when the key is absent (selects nothing, so it does not restrict). */
    public boolean isAny() {
        return !untagged && vids.isEmpty();
    }

    /** Whether a VID (or -1 for untagged, as {@code FrameView.vlanId()} reports it) is selected. */
    public boolean matches(int vid) {
        if (vid < 0) {
            return untagged;
        }
        for (IntRange r : vids) {
            if (r.contains(vid)) {
                return true;
            }
        }
        return false;
    }

    /** {@code 100-199,300,untagged}. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(",");
        for (IntRange r : vids) {
            j.add(r.toString());
        }
        if (untagged) {
            j.add("untagged");
        }
        return j.toString();
    }
}
