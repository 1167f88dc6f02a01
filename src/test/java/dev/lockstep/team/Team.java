package dev.lockstep.team;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.TestPostgres;
import dev.lockstep.engine.Orphans;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.Records;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the shared-store tests share: machines that differ by name, and a look at the store's tables. */
final class Team {
    /** Leases short enough for a test to wait them out (heartbeat every second). */
    static final String LEASE_SECONDS = "3";

    private Team() {}

    /** The environment of a lockstep process playing machine {@code host}. */
    static Map<String, String> on(String host) {
        return on(host, LEASE_SECONDS);
    }

    /** ... holding its leases for {@code leaseSeconds}. */
    static Map<String, String> on(String host, String leaseSeconds) {
        return Map.of("LOCKSTEP_HOST", host, "LOCKSTEP_LEASE_SECONDS", leaseSeconds);
    }

    static String jdbc(String stateUrl) {
        return SharedStoreTest.jdbc(stateUrl);
    }

    /** The run's events as the store holds them, checked record by record. */
    static List<Event> events(String stateUrl, String runId) {
        List<Event> out = new ArrayList<>();
        try (Connection c = TestPostgres.connect(jdbc(stateUrl));
             PreparedStatement s = c.prepareStatement("SELECT seq, record FROM lockstep.events WHERE run_id = ? ORDER BY seq")) {
            s.setString(1, runId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) out.add(Records.decodeWhole(r.getString(2), "row " + r.getLong(1) + ": "));
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) throw new AssertionError(e);
        }
        return out;
    }

    /** Waits until some run has an event of this type (for this step), and returns its id. */
    static String awaitEvent(String stateUrl, String type, String step, Process driver, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try (Connection c = TestPostgres.connect(jdbc(stateUrl));
                 PreparedStatement s = c.prepareStatement("SELECT run_id FROM lockstep.events WHERE type = ? AND step IS NOT DISTINCT FROM ?")) {
                s.setString(1, type);
                s.setString(2, step);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) return r.getString(1);
                }
            } catch (SQLException e) {
                if (!"42P01".equals(e.getSQLState())) throw e;
            }
            if (driver != null && !driver.isAlive()) fail("lockstep ended before " + type + " " + step + ": " + Files.readString(log));
            Thread.sleep(20);
        }
        throw new AssertionError("no " + type + " " + step + " in " + stateUrl + (log != null ? ": " + Files.readString(log) : ""));
    }

    /** Waits (at most a minute and a half) for a condition that the processes under test make true. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    /** A killed lockstep leaves its step's shell running; the operator waits for it before deciding. */
    static void awaitNoOrphans(String runId, String step) throws InterruptedException {
        await("the orphaned step process of " + step + " to end", () -> Orphans.of(runId, step).isEmpty());
    }

    /** What a watcher printed of runbooks/team/chatty.yaml: every step's start, lines and success, once each, in order. */
    static void assertChattyShownOnceInOrder(String seen) {
        List<String> inOrder = new ArrayList<>();
        for (int s = 1; s <= 8; s++) {
            inOrder.add("> step s" + s + " started (attempt 1)");
            for (int l = 1; l <= 3; l++) inOrder.add("  | s" + s + " line " + l);
            inOrder.add("ok step s" + s + " succeeded");
        }
        List<String> shown = new ArrayList<>();
        for (String line : seen.split("\n")) {
            // Each line is "HH:mm:ss TEXT"; a step's success also says how long it took.
            String text = line.length() > 9 ? line.substring(9) : "";
            if (text.startsWith("ok step s")) text = text.substring(0, text.indexOf(" succeeded") + " succeeded".length());
            if (text.startsWith("> step s") || text.startsWith("ok step s") || text.startsWith("  | s")) shown.add(text);
        }
        org.junit.jupiter.api.Assertions.assertEquals(inOrder, shown, "every event and line once, in order:\n" + seen);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    static int exit(Process p, Path log) throws Exception {
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("lockstep did not finish: " + read(log));
        }
        return p.exitValue();
    }
}
