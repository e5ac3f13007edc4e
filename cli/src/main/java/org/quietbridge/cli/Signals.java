package org.quietbridge.cli;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;

/**
 * Installs handlers for POSIX signals (TERM, INT, HUP, USR1) through {@code sun.misc.Signal},
 * the JDK's only signal API (module jdk.unsupported). It is reached reflectively because javac
 * flags every direct use as "internal proprietary API" and the build treats warnings as
 * errors. Shutdown hooks alone cannot tell SIGHUP from SIGTERM, nor exit 0 after SIGTERM.
 */
final class Signals {
    private Signals() {
    }

    /**
     * Runs {@code action} on a JVM signal thread whenever {@code name} ("TERM", "HUP", ...)
     * arrives.
     *
     * @return false when the JVM refused (for example -Xrs, or a signal it uses itself)
     */
    static boolean handle(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            MethodHandle create = lookup.findConstructor(signalClass, MethodType.methodType(void.class, String.class));
            MethodHandle install = lookup.findStatic(signalClass, "handle",
                    MethodType.methodType(handlerClass, signalClass, handlerClass));
            Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            action.run();
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "quietbridge signal handler for SIG" + name;
                        };
                    });
            Object signal = create.invoke(name);
            install.invoke(signal, handler);
            return true;
        } catch (Throwable e) {
            return false;
        }
    }
}
