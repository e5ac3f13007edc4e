package org.quietbridge.bridge.api;

import java.util.List;
import java.util.Map;
import java.util.Locale;

import org.quietbridge.bridge.forward.FailoverCounter;
import org.quietbridge.bridge.forward.FdbCounter;
import org.quietbridge.bridge.forward.LoadCounter;
import org.quietbridge.bridge.forward.PortCounter;
import org.quietbridge.frame.Malformation;

/**
 * The JSON documents of the API, one method per endpoint. Member names are snake_case and
 * stable; counters are named by the stable labels of {@link PortCounter}, {@link FdbCounter} and
 * {@link Malformation}.
 */
final class JsonDocuments {
    private JsonDocuments() {
    }

    static byte[] status(StatusInfo s) {
        JsonWriter w = new JsonWriter().beginObject()
                .member("version", s.version())
                .member("uptime_seconds", s.uptimeSeconds())
                .member("pid", s.pid())
                .member("forwarding", s.forwarding())
                .member("mode", s.mode())
                .member("rules_digest", s.rulesDigest())
                .member("rule_count", s.ruleCount());
        w.name("ports").beginArray();
        for (StatusInfo.Port p : s.ports()) {
            w.beginObject().member("name", p.name()).member("mtu", p.mtu()).member("state", p.state()).endObject();
        }
        w.endArray().name("failover").beginObject().member("mode", s.failover().mode())
                .member("active", s.failover().active()).endObject();
        return w.endObject().utf8();
    }

    static byte[] counters(DataPlaneCounters c) {
        JsonWriter w = new JsonWriter().beginObject().member("time_ms", c.monotonicMillis());
        w.name("ports").beginArray();
        for (DataPlaneCounters.Port p : c.ports()) {
            w.beginObject().member("name", p.name());
            for (PortCounter pc : PortCounter.values()) {
                w.member(pc.label(), p.get(pc));
            }
            w.endObject();
        }
        w.endArray().name("fdb").beginObject();
        for (FdbCounter fc : FdbCounter.values()) {
            w.member(fc.label(), c.fdb(fc));
        }
        w.endObject().name("malformed").beginObject();
        for (Malformation m : Malformation.values()) {
            if (m != Malformation.NONE) {
                w.member(m.label(), c.malformed(m));
            }
        }
        w.endObject().name("dataplane").beginObject();
        for (LoadCounter lc : LoadCounter.values()) {
            w.member(lc.label(), c.load(lc));
        }
        w.endObject().name("failover").beginObject().member("active", c.kernelForwards());
        for (FailoverCounter fc : FailoverCounter.values()) {
            w.member(fc.label(), c.failover(fc));
        }
        return w.endObject()
                .member("reloads", c.reloads())
                .member("reload_failures", c.reloadFailures())
                .member("dataplane_errors", c.dataPlaneErrors())
                .endObject().utf8();
    }

    static byte[] fdb(List<FdbEntry> entries) {
        JsonWriter w = new JsonWriter().beginObject().member("count", entries.size());
        w.name("entries").beginArray();
        for (FdbEntry e : entries) {
            w.beginObject().member("mac", e.mac()).name("vlan");
            if (e.vlan() < 0) {
                w.nullValue();
            } else {
                w.value(e.vlan());
            }
            w.member("port", e.port()).member("static", e.isStatic()).member("age_seconds", e.ageSeconds())
                    .endObject();
        }
        return w.endArray().endObject().utf8();
    }

    static byte[] rules(StatusInfo s, List<RuleInfo> rules) {
        JsonWriter w = new JsonWriter().beginObject().member("mode", s.mode()).member("rules_digest", s.rulesDigest());
        w.name("rules").beginArray();
        for (RuleInfo r : rules) {
            w.beginObject().member("name", r.name()).member("action", r.action()).member("hits", r.hits())
                    .member("description", r.description()).endObject();
        }
        return w.endArray().endObject().utf8();
    }

    static byte[] nlb(List<NlbClusterInfo> clusters) {
        JsonWriter w = new JsonWriter().beginObject();
        w.name("clusters").beginArray();
        for (NlbClusterInfo n : clusters) {
            w.beginObject().member("cluster_ip", n.clusterIp()).name("vlan");
            if (n.vlan() < 0) {
                w.nullValue();
            } else {
                w.value(n.vlan());
            }
            w.member("mac", n.mac()).member("mode", n.mode());
            w.name("member_ports").beginArray();
            for (String p : n.memberPorts()) {
                w.value(p);
            }
            w.endArray().member("static", n.isStatic()).member("contained", n.contained())
                    .member("forwarded", n.forwarded()).member("flooded_unknown", n.floodedUnknown())
                    .member("moves", n.moves()).endObject();
        }
        return w.endArray().endObject().utf8();
    }

    static byte[] arp(ArpInfo arp) {
        JsonWriter w = new JsonWriter().beginObject().member("mode", arp.mode());
        w.name("counters").beginObject();
        for (Map.Entry<String, Long> e : arp.counters().entrySet()) {
            w.member(e.getKey(), e.getValue());
        }
        w.endObject().member("count", arp.bindings().size()).name("bindings").beginArray();
        for (ArpInfo.Binding b : arp.bindings()) {
            w.beginObject().member("ip", b.ip()).name("vlan");
            if (b.vlan() < 0) {
                w.nullValue();
            } else {
                w.value(b.vlan());
            }
            w.member("mac", b.mac()).member("port", b.port()).member("age_seconds", b.ageSeconds()).endObject();
        }
        return w.endArray().endObject().utf8();
    }

    static byte[] storms(List<StormLimitInfo> limits) {
        JsonWriter w = new JsonWriter().beginObject();
        w.name("limits").beginArray();
        for (StormLimitInfo s : limits) {
            w.beginObject().member("port", s.port()).member("class", s.stormClass()).member("pps", s.pps())
                    .member("falling_pps", s.fallingPps()).member("action", s.action()).member("active", s.active())
                    .member("storms", s.storms()).member("dropped", s.dropped()).member("logged", s.logged())
                    .name("top_source");
            if (s.topSource() == null) {
                w.nullValue();
            } else {
                w.value(s.topSource());
            }
            w.member("peak_pps", s.peakPps()).endObject();
        }
        return w.endArray().endObject().utf8();
    }

    static byte[] topTalkers(int minutes, List<TopTalker> talkers) {
        JsonWriter w = new JsonWriter().beginObject().member("minutes", minutes);
        w.name("talkers").beginArray();
        for (TopTalker t : talkers) {
            w.beginObject().member("mac", t.mac()).member("dropped_frames", t.droppedFrames())
                    .member("last_rule", t.lastRule()).endObject();
        }
        return w.endArray().endObject().utf8();
    }

    static byte[] reload(ReloadResult r) {
        return new JsonWriter().beginObject()
                .member("ok", r.ok())
                .member("outcome", r.outcome().name().toLowerCase(Locale.ROOT))
                .member("message", r.message())
                .member("rules_digest", r.rulesDigest())
                .endObject().utf8();
    }

    /** {@code {"error": code, "status": n, "message": text}}. */
    static byte[] error(int status, String code, String message) {
        return new JsonWriter().beginObject()
                .member("error", code)
                .member("status", status)
                .member("message", message)
                .endObject().utf8();
    }
}
