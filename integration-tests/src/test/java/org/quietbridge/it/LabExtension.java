package org.quietbridge.it;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.quietbridge.lab.LabOptions;

/**
 * Builds and removes the lab of a {@link LabTest} class. JUnit runs an extension's {@code beforeAll} before
 * the class's own {@code @BeforeAll} methods and its {@code afterAll} after the class's {@code @AfterAll}
 * methods, so a class's own setup sees the lab and its own teardown (stopping a bridge it started) runs
 * before the namespaces go.
 */
public final class LabExtension implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        Class<?> testClass = context.getRequiredTestClass();
        LabTest spec = testClass.getAnnotation(LabTest.class);
        Field field = fixtureField(testClass);
        LabFixture fixture = LabFixture.open(spec.value(), LabOptions.defaults().withHostOffloads(spec.hostOffloads()));
        field.set(null, fixture);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IllegalAccessException {
        Field field = fixtureField(context.getRequiredTestClass());
        LabFixture fixture = (LabFixture) field.get(null);
        if (fixture != null) {
            field.set(null, null);
            fixture.close();
        }
    }

    /** The class's one {@code static LabFixture} field, made accessible. */
    private static Field fixtureField(Class<?> testClass) {
        List<Field> fields = java.util.Arrays.stream(testClass.getDeclaredFields())
                .filter(f -> f.getType() == LabFixture.class && Modifier.isStatic(f.getModifiers())).toList();
        if (fields.size() != 1) {
            throw new ExtensionConfigurationException(testClass.getSimpleName()
                    + " needs exactly one static LabFixture field for its lab; it has " + fields.size());
        }
        Field field = fields.getFirst();
        field.setAccessible(true);
        return field;
    }
}
