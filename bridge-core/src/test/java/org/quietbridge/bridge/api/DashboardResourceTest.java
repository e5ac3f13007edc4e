package org.quietbridge.bridge.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The dashboard is one self-contained page: nothing in it points at another host. */
class DashboardResourceTest {
    /** XML namespace names: identifiers that browsers never fetch. */
    private static final Set<String> NAMESPACES = Set.of("http://www.w3.org/2000/svg");

    private static String page() throws IOException {
        try (InputStream in = DashboardPage.class.getResourceAsStream(DashboardPage.RESOURCE)) {
            assertNotNull(in, "dashboard resource on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void hasNoUrlToAnExternalHost() throws IOException {
        String html = page();
        List<String> external = new ArrayList<>();
        Matcher m = Pattern.compile("(?i)(https?:)?//[a-z0-9.\\-\\[\\]:]+[^\\s\"'<>)]*").matcher(html);
        while (m.find()) {
            // Scheme-relative //host counts too; comments in the page put a space after //.
            String url = m.group();
            if (!NAMESPACES.contains(url)) {
                external.add(url);
            }
        }
        assertEquals(List.of(), external);
        assertFalse(Pattern.compile("(?i)<(script|link|img|iframe)[^>]*\\s(src|href)\\s*=").matcher(html).find(),
                "no element loads anything");
        assertFalse(Pattern.compile("(?i)@import|url\\(").matcher(html).find(), "no CSS import or url()");
    }

    @Test
    void fetchesOnlyRelativeApiPaths() throws IOException {
        Matcher m = Pattern.compile("getJson\\(\"([^\"]*)\"\\)").matcher(page());
        List<String> paths = new ArrayList<>();
        while (m.find()) {
            paths.add(m.group(1));
        }
        assertEquals(List.of("api/status", "api/counters", "api/rules", "api/nlb", "api/storm", "api/arp?bindings=false",
                "api/top-talkers?minutes=10"), paths);
    }

    @Test
    void hasTheElementsOperatorsAndTestsRelyOn() throws IOException {
        String html = page();
        for (String id : List.of("bm-chart", "share-removed", "rules-table", "top-talkers", "nlb-table", "ports-table",
                "storm-table", "arp-table", "arp-mode")) {
            assertTrue(html.contains("id=\"" + id + "\""), id);
        }
        assertTrue(html.contains("setTimeout(poll, POLL_MS)") && html.contains("POLL_MS = 2000"), "polls every 2 s");
    }

    @Test
    void itsOneInlineScriptIsAllowedByHashInThePolicy() throws IOException {
        String policy = DashboardPage.contentSecurityPolicy(page().getBytes(StandardCharsets.UTF_8));
        assertTrue(policy.matches("default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]{43}='; .*"), policy);
        assertFalse(policy.contains("unsafe-eval"));
        assertFalse(policy.contains("script-src 'unsafe-inline'"));
    }
}
