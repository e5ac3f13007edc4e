/**
 * The only package that talks to the kernel through {@code java.lang.foreign.Linker}: libc downcalls
 * ({@link org.quietbridge.bridge.sys.LinuxSyscalls}), the uapi structs they exchange (one class per
 * struct, C field names, header cited), and {@link org.quietbridge.bridge.sys.NativeException}, which
 * names the failed call, its arguments and the errno.
 */
package org.quietbridge.bridge.sys;
