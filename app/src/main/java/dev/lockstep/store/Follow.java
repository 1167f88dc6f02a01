package dev.lockstep.store;

import dev.lockstep.journal.Event;
import java.time.Duration;
import java.util.List;

/**
 * A run followed as it is written, from its first record: every event once and in order,
 * with the output lines written between them. A follower that loses the store reconnects
 * and catches up from where it was, so nothing is missed or seen twice.
 */
public interface Follow extends AutoCloseable {
    /** What was written since the last call, waiting up to {@code wait} for something. */
    List<Item> next(Duration wait) throws InterruptedException;

    @Override
    void close();

    /** Something a follower sees. */
    sealed interface Item {}

    /** A record of the run. */
    record Recorded(Event event) implements Item {}

    /** A line of a log ({@code log} is a step id), as the driver's listeners saw it (without its timestamp). */
    record Line(String log, String text) implements Item {}

    /** Something about the following itself: the connection was lost, and found again. */
    record Notice(String text) implements Item {}
}
