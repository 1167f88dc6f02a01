package dev.lockstep.store;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.secret.Redactor;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A run this process holds (drives): the only way to add to its records and logs. Every
 * append is durable when it returns, and is refused when the hold was lost.
 */
public interface HeldRun extends AutoCloseable {
    String runId();

    /** The run's records in messages ("file:N" or "URL#run:N" names record N). */
    String source();

    List<Event> events();

    /** Each record's text as stored, CRC included. */
    List<String> records();

    List<String> warnings();

    /** Secrets in event data are masked with this before anything is written. */
    void redactWith(Redactor redactor);

    /** Where the hold says what the operator should know (a lease that could not be renewed). */
    default void onNotice(Consumer<String> notices) {}

    /**
     * Where the hold says that another process took the run: said once, from a thread of the
     * store's. The local store's hold lets the run go when {@code taken} returns; a lease is
     * already someone else's, and every later append is refused.
     */
    default void onTakenOver(Consumer<TakenOver> taken) {}

    /** Who took the run from this process, once it was taken. */
    default Optional<TakenOver> lostTo() {
        return Optional.empty();
    }

    /** Appends one record; returns it as stored (masked). */
    Event append(EventType type, String step, EventData data);

    /** Opens one of the run's logs for appending. */
    StepLog openLog(String log) throws IOException;

    /** The holder whose hold this one took over (an expired lease, or a live one taken on purpose), for RUN_RESUMED. */
    default Optional<String> tookOver() {
        return Optional.empty();
    }

    /** Appends records exactly as another store kept them (state copy); each must carry the next number. */
    void appendRecords(List<String> records);

    /** Replaces one of the run's logs (state copy). */
    void replaceLog(String log, List<String> lines);

    /** Marks the run as handed to another store ({@code to}), or clears the mark (null). */
    void markMoved(String to);

    @Override
    void close();
}
