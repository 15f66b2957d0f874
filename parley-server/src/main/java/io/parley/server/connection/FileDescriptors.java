package io.parley.server.connection;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

import com.sun.management.UnixOperatingSystemMXBean;

/**
 * This process's file descriptors, as the JVM reports them ({@link UnixOperatingSystemMXBean}, the
 * source of Micrometer's {@code process.files.*} too). Counting open descriptors lists
 * {@code /proc/self/fd}: milliseconds with tens of thousands open, so callers sample it, never per
 * request. On a platform without the Unix bean both are unknown (-1). Thread-safe.
 */
final class FileDescriptors {

    private static final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

    private FileDescriptors() {
    }

    /** The process's descriptor limit ({@code ulimit -n}), or -1 if unknown. */
    static long limit() {
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    /** Descriptors open now, or -1 if unknown. */
    static long open() {
        return os instanceof UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : -1;
    }
}
