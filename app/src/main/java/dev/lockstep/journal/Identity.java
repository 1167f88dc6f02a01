package dev.lockstep.journal;

import java.io.IOException;
import java.net.InetAddress;

/** Who is at the keyboard, as journals and reports record it. */
public final class Identity {
    private Identity() {}

    public static String operator() {
        return System.getProperty("user.name", "unknown") + "@" + host();
    }

    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
    }
}
