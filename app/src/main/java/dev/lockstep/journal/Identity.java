package dev.lockstep.journal;

import java.io.IOException;
import java.net.InetAddress;

/**
 * Who is at the keyboard, as journals and reports record it. {@code $LOCKSTEP_HOST} names
 * the machine where its host name says nothing (CI runners and containers with random
 * names) and lets tests play a second machine.
 */
public final class Identity {
    private Identity() {}

    public static String operator() {
        return System.getProperty("user.name", "unknown") + "@" + host();
    }

    public static String host() {
        String named = System.getenv("LOCKSTEP_HOST");
        if (named != null && !named.isBlank()) return named;
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
    }
}
