package org.quietbridge.lab;

/** The three network namespaces of a lab, named {@code <prefix>-<suffix>}. */
public enum Role {
    /** The client side: one host, as behind a wireless access point. */
    AP("ap"),
    /** The bridge's namespace: two unnumbered ports, {@value Lab#AP_PORT} and {@value Lab#CORE_PORT}. */
    BR("br"),
    /** The server side: one host, as on the campus core. */
    CORE("core");

    private final String suffix;

    Role(String suffix) {
        this.suffix = suffix;
    }

    /** The last part of the namespace's name: {@code ap}, {@code br} or {@code core}. */
    public String suffix() {
        return suffix;
    }
}
