package org.quietbridge.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An end-to-end test class with a namespace lab of its own: {@link LabExtension} builds it before the
 * class's {@code @BeforeAll} methods, puts it in the class's static {@link LabFixture} field, and removes
 * it after the class's {@code @AfterAll} methods, whether the tests passed or not. Without root the class
 * is skipped. The class states only what differs: its name, and the lab's options.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(LabExtension.class)
public @interface LabTest {
    /** A short tag ({@code [a-z0-9]}, at most 8 characters): the lab's prefix and its work folder's name. */
    String value();

    /** The hosts' TSO, GSO and TX checksum offloads (veth's defaults, as VMs and containers have them). */
    boolean hostOffloads() default true;
}
