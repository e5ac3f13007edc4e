/**
 * The namespace lab: three Linux network namespaces joined by veth pairs, a client host, the
 * bridge's namespace and a server host, for {@code quietbridge lab} and the end-to-end tests.
 * {@link org.quietbridge.lab.Lab} builds one and tears it down.
 */
package org.quietbridge.lab;
