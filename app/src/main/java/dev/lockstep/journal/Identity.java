package dev.lockstep.journal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who is at the keyboard, as journals and reports record it. {@code $LOCKSTEP_HOST} names
 * the machine where its host name says nothing (CI runners and containers with random
 * names) and lets tests play a second machine.
 */
public final class Identity {
    private static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private Identity() {}

    public static String operator() {
        return System.getProperty("user.name", "unknown") + "@" + host();
    }

    public static String host() {
        String named = System.getenv("LOCKSTEP_HOST");
        if (named != null && !named.isBlank()) return named;
        // The kernel's name for the machine, as InetAddress.getLocalHost().getHostName() gives it, without
        // the address lookup that comes with it: its first use loads the JDK's resolver plugins, which opens
        // each of the ~100 jars on the class path (~20 ms before the first screen).
        try {
            String kernel = Files.readString(KERNEL_HOSTNAME).strip();
            if (!kernel.isEmpty()) return kernel;
        } catch (IOException | UnsupportedOperationException notLinux) {
            // Another system: ask the JDK.
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
    }
}
