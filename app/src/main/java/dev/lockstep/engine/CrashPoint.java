package dev.lockstep.engine;

import dev.lockstep.journal.Event;

/**
 * A test hook, so that tests can kill a run at an exact point of a step: {@code $LOCKSTEP_TEST_HALT_AT}
 * makes this process halt at once, as kill -9 would (no shutdown hook runs, nothing more is journaled or
 * cleaned up). {@code EVENT_TYPE:step} (say {@code STEP_EXTERNAL_ID:migrate}) halts just after that event
 * of that step is journaled; {@code line:TEXT} just after a step logs a line (its output or a note) that
 * holds TEXT. Unset, as outside the tests, it does nothing.
 */
final class CrashPoint {
    private static final String AT = System.getenv("LOCKSTEP_TEST_HALT_AT");
    private static final String LINE = "line:";
    /** What a shell reports for a process killed by SIGKILL. */
    private static final int KILLED = 137;

    private CrashPoint() {}

    static void journaled(Event e) {
        if (AT != null && AT.equals(e.type() + ":" + e.step())) Runtime.getRuntime().halt(KILLED);
    }

    static void logged(String line) {
        if (AT != null && AT.startsWith(LINE) && line.contains(AT.substring(LINE.length()))) Runtime.getRuntime().halt(KILLED);
    }
}
